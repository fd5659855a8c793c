import { isProbablyReaderable, Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { NodeHtmlMarkdown } from 'node-html-markdown';

export interface ConvertedHtml {
  markdown: string;
  /** The page title, when it has one. */
  title: string | undefined;
  /** `article`: Readability found the main content; `page`: the whole body was converted, minus the noise. */
  extractedFrom: 'article' | 'page';
}

/** Elements that never carry readable content, removed before a whole page is converted. */
const noiseSelector = [
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'object',
  'embed',
  'canvas',
  'svg',
  'nav',
  '[role="navigation"]',
  '[aria-hidden="true"]',
  '[hidden]',
].join(', ');

const markdownConverter = new NodeHtmlMarkdown({
  bulletMarker: '-',
  maxConsecutiveNewlines: 2,
  keepDataImages: false,
  useLinkReferenceDefinitions: false,
  ignore: ['script', 'style', 'noscript', 'template'],
});

/**
 * Turns an HTML page into readable markdown. Links and images are made absolute against `pageUrl` first.
 * When Readability judges the page an article, its main content is kept, under the title as a level-1
 * heading; otherwise the whole body is converted without scripts, styles, navigation and hidden parts.
 */
export function htmlToMarkdown(html: string, pageUrl: string): ConvertedHtml {
  const article = readArticle(html, pageUrl);
  if (article !== undefined) return article;
  const { document } = parseHTML(wellFormedDocument(html));
  absolutizeLinks(document, pageUrl);
  for (const element of [...document.querySelectorAll(noiseSelector)]) element.remove();
  const title = cleanTitle(document.querySelector('title')?.textContent);
  const body = document.querySelector('body');
  const markdown = tidy(markdownConverter.translate(body?.innerHTML ?? ''));
  return { markdown: withTitle(markdown, title), title, extractedFrom: 'page' };
}

function readArticle(html: string, pageUrl: string): ConvertedHtml | undefined {
  const { document } = parseHTML(wellFormedDocument(html));
  if (!isProbablyReaderable(document)) return undefined;
  absolutizeLinks(document, pageUrl);
  const article = new Readability(document).parse();
  if (article === null || typeof article.content !== 'string' || (article.textContent ?? '').trim() === '')
    return undefined;
  const title = cleanTitle(article.title);
  const markdown = tidy(markdownConverter.translate(article.content));
  if (markdown === '') return undefined;
  return { markdown: withTitle(markdown, title), title, extractedFrom: 'article' };
}

/**
 * linkedom builds the tree exactly as written: a page without <html>/<body> (a fragment, or tags the parser
 * would imply) would have no body. Wraps such pages so that document.body holds their content.
 */
function wellFormedDocument(html: string): string {
  if (/<body[\s>]/i.test(html)) return html;
  const head = /<head[\s>][\s\S]*?<\/head\s*>/i.exec(html);
  const rest = (head === null ? html : html.slice(0, head.index) + html.slice(head.index + head[0].length))
    .replace(/<\?xml[^>]*\?>/i, '')
    .replace(/<!doctype[^>]*>/i, '')
    .replace(/<\/?html[^>]*>/gi, '');
  return `<!DOCTYPE html><html>${head?.[0] ?? '<head></head>'}<body>${rest}</body></html>`;
}

interface LinkedElement {
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
}

function absolutizeLinks(
  document: { querySelectorAll(selector: string): Iterable<LinkedElement> },
  pageUrl: string,
): void {
  for (const [selector, attribute] of [
    ['a[href]', 'href'],
    ['img[src]', 'src'],
  ] as const) {
    for (const element of document.querySelectorAll(selector)) {
      const value = element.getAttribute(attribute);
      if (value === null || value.startsWith('#') || /^(javascript|data|mailto|tel):/i.test(value.trim())) continue;
      try {
        element.setAttribute(attribute, new URL(value.trim(), pageUrl).href);
      } catch {
        // Leave a link the URL parser cannot read as it is.
      }
    }
  }
}

function cleanTitle(title: string | null | undefined): string | undefined {
  const cleaned = title?.replace(/\s+/g, ' ').trim();
  return cleaned === undefined || cleaned === '' ? undefined : cleaned;
}

function withTitle(markdown: string, title: string | undefined): string {
  if (title === undefined) return markdown;
  const hasTitleHeading = markdown
    .split('\n')
    .some((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, '').trim() === title);
  if (hasTitleHeading) return markdown;
  return markdown === '' ? `# ${title}` : `# ${title}\n\n${markdown}`;
}

function tidy(markdown: string): string {
  return markdown
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
