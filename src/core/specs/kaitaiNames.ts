// The names the Kaitai compiler's JavaScript target gives spec ids.

/** `file_header` -> `fileHeader` (properties). */
export function lowerCamel(id: string): string {
  const [first, ...rest] = id.split('_');
  return first + rest.map(capitalize).join('');
}

/** `file_header` -> `FileHeader` (classes and generated file names). */
export function upperCamel(id: string): string {
  return id.split('_').map(capitalize).join('');
}

const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
