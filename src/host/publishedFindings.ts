// What each image's Problems entries were last made from, so that publishing
// the same findings again (after a save the model stands, and with it every
// finding) costs a string comparison instead of a new diagnostic collection
// entry, which VS Code would send on to the Problems panel and the tabs.
import type { Finding } from '../core/findings';

export class PublishedFindings {
  /** Image URI -> the findings last published, serialised. */
  private readonly published = new Map<string, string>();

  /** True when `findings` differ from what was last published for `uri`; records them as published. */
  changed(uri: string, findings: readonly Finding[]): boolean {
    const key = JSON.stringify(findings);
    if (this.published.get(uri) === key) return false;
    this.published.set(uri, key);
    return true;
  }

  /** Forgets `uri` (its entries were removed): the next publish shows whatever it is given. */
  forget(uri: string): void {
    this.published.delete(uri);
  }

  clear(): void {
    this.published.clear();
  }
}
