// Text from an image (partition names, FAT labels, file names) and from the
// user (paths) must not drive the terminal: an `ESC]0;...BEL` retitles it,
// `ESC[2J` clears it, a C1 CSI (U+009B) does the same on many terminals, and
// bidi overrides reorder what the reader sees. Everything we print goes
// through here: controls become visible escapes instead.

// C0 controls, DEL, C1 controls, the bidi embedding/override/isolate marks, the
// Arabic letter mark and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- as above
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One field of human output (a name, a label, a message): every control character made visible, newlines too. */
export function safeField(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** A whole block of human output: like safeField, but its own line breaks stay. */
export function safeLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, visible);
}

/**
 * A JSON document as JSON.stringify wrote it: C0 controls inside strings are
 * already escapes; DEL, C1, bidi marks and the line separators are raw there,
 * and become \uXXXX (valid JSON for the same string).
 */
export function safeJson(text: string): string {
  return text.replace(/[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
