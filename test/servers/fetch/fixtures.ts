/** Pages the fetch tests serve. */

function paragraph(number: number): string {
  return (
    `<p>Paragraph ${number} of the river article tells how the water runs from the mountains through the valley, ` +
    `past old mills and quiet villages, with a <a href="/notes/${number}">note ${number}</a> for the curious reader.</p>`
  );
}

/** An article page with navigation, scripts, styles and a footer around the main content. */
export const articlePage = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>River Notes</title>
  <style>body { color: STYLE_RULE; }</style>
  <script>window.tracker = "SCRIPT_IN_HEAD";</script>
</head>
<body>
  <nav class="site-nav"><a href="/">NAV_HOME</a> | <a href="/about">NAV_ABOUT</a></nav>
  <div id="content">
    <article>
      <h1>River Notes</h1>
      ${paragraph(1)}
      <h2>Upstream Section</h2>
      ${paragraph(2)}
      ${paragraph(3)}
      <h3>Mill Details</h3>
      ${paragraph(4)}
      <ul><li>first mill on the bend</li><li>second mill by the bridge</li></ul>
      ${paragraph(5)}
    </article>
  </div>
  <script>console.log("SCRIPT_IN_BODY");</script>
</body>
</html>`;

/** A page that is not an article: a heading, a table and a list of links, with navigation and a script. */
export const listingPage = `<!DOCTYPE html>
<html>
<head><title>Station Index</title><script>var x = "LISTING_SCRIPT";</script></head>
<body>
  <nav><a href="/menu">LISTING_NAV</a></nav>
  <h1>Station Index</h1>
  <table>
    <tr><th>Station</th><th>Level</th></tr>
    <tr><td>Upper Ford</td><td>3.2</td></tr>
  </table>
  <ul><li><a href="data/lower.csv">Lower gauge</a></li></ul>
  <noscript>LISTING_NOSCRIPT</noscript>
</body>
</html>`;
