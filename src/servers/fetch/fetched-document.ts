import { describeError } from '../../errors/mux-swarm-error.js';
import { decodeText } from './decode-text.js';
import { FetchError } from '../../errors/fetch-error.js';
import { type HttpGetOptions, httpGet } from './http-get.js';
import type { ConvertedHtml } from './html-to-markdown.js';

/** What a call returns from a document: the text, and words saying what it is. */
export interface DocumentContent {
  content: string;
  /** `text/html converted to markdown (main article)`, `raw text/html`, `application/json`, … */
  description: string;
}

/**
 * The HTML converter (linkedom, Readability, node-html-markdown: a tenth of a second and more to load), loaded by
 * the first HTML page fetched rather than when the server starts: a run whose agents fetch nothing never loads it.
 */
let converter: typeof import('./html-to-markdown.js') | undefined;

/**
 * A fetched page decoded to text. HTML is converted to markdown on first use and the result kept, so
 * paging through a cached page converts it once.
 */
export class FetchedDocument {
  private converted: ConvertedHtml | undefined;

  private constructor(
    readonly requestedUrl: string,
    readonly finalUrl: string,
    readonly mediaType: string,
    readonly kind: 'html' | 'text',
    readonly text: string,
  ) {}

  static async fetch(url: string, options: HttpGetOptions): Promise<FetchedDocument> {
    const response = await httpGet(url, options);
    if (response.kind === 'html') converter ??= await import('./html-to-markdown.js');
    const text = decodeText(response.body, response.contentType, response.kind === 'html');
    return new FetchedDocument(
      response.requestedUrl,
      response.finalUrl,
      response.contentType.mediaType,
      response.kind,
      text,
    );
  }

  /** The content a call sees: markdown for HTML unless `raw`, the text itself otherwise. */
  content(raw: boolean): DocumentContent {
    const mediaType = this.mediaType === '' ? 'text without a Content-Type' : this.mediaType;
    if (this.kind === 'text') return { content: this.text, description: mediaType };
    if (raw) return { content: this.text, description: `raw ${this.mediaType === '' ? 'HTML' : this.mediaType}` };
    this.converted ??= this.convert();
    const source = this.converted.extractedFrom === 'article' ? 'main article' : 'whole page; no article found';
    return {
      content: this.converted.markdown,
      description: `${this.mediaType || 'HTML'} converted to markdown (${source})`,
    };
  }

  private convert(): ConvertedHtml {
    try {
      return converter!.htmlToMarkdown(this.text, this.finalUrl);
    } catch (error) {
      throw new FetchError(
        this.requestedUrl,
        'unsupported_content',
        `Cannot turn the HTML of ${this.requestedUrl} into markdown (${describeError(error)}). Call fetch again with ` +
          'raw: true to read the HTML source.',
        { cause: error },
      );
    }
  }

  /** Characters held, the converted markdown counted as if as long as the text. */
  get weight(): number {
    return this.text.length * 2;
  }
}
