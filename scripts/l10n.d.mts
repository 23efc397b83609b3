// Types of scripts/l10n.mjs for the tests.
export declare const BUNDLE: string;
export declare function extractStrings(): { keys: Map<string, string[]>; errors: string[] };
export declare function bundleText(keys: Iterable<string>): string;
