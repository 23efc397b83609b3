// Where the navigation keys of a hex view move the cursor (the editor and the
// comparison share them). Pure: no DOM.

/**
 * The cursor after `key` (arrows, PageUp / PageDown, Home / End, with Ctrl to the image's
 * ends), clamped to [0, last]; null when the key does not move the cursor. A page past
 * either end stops at the end, PageUp keeping the column.
 */
export function cursorKeyTarget(key: string, ctrl: boolean, cursor: number, bytesPerRow: number, pageBytes: number, last: number): number | null {
  let next: number;
  switch (key) {
    case 'ArrowLeft':
      next = cursor - 1;
      break;
    case 'ArrowRight':
      next = cursor + 1;
      break;
    case 'ArrowUp':
      next = cursor - bytesPerRow;
      break;
    case 'ArrowDown':
      next = cursor + bytesPerRow;
      break;
    case 'PageUp':
      next = cursor - pageBytes;
      if (next < 0) next = cursor % bytesPerRow;
      break;
    case 'PageDown':
      next = cursor + pageBytes;
      if (next > last) next = last;
      break;
    case 'Home':
      next = ctrl ? 0 : cursor - (cursor % bytesPerRow);
      break;
    case 'End':
      next = ctrl ? last : cursor - (cursor % bytesPerRow) + bytesPerRow - 1;
      break;
    default:
      return null;
  }
  return Math.min(Math.max(0, last), Math.max(0, next));
}
