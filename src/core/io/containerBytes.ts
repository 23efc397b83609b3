// The container file's own bytes, for `inspect --container-bytes`: each header,
// footer and table structure the container source parsed, with its fields
// (file offsets) and the bytes read again from the file, read-only (the files
// are opened "r"), at most MAX_CONTAINER_DUMP_BYTES per structure and
// MAX_CONTAINER_DUMP_TOTAL_BYTES in all.
import type { ByteSource } from './byteSource';
import { FileSource } from './fileSource';
import { isContainerSource } from './containerSource';
import type { Field, FieldValue } from '../structure';
import { MAX_CONTAINER_DUMP_BYTES, MAX_CONTAINER_DUMP_FIELDS, MAX_CONTAINER_DUMP_TOTAL_BYTES } from '../limits';

/** One leaf field of a structure: dotted path, file offset and length, decoded value (null for byte strings) and raw bytes. */
export interface ContainerBytesField {
  path: string;
  offset: number;
  length: number;
  value: FieldValue;
  raw: Uint8Array;
}

/** One structure of the container file as stored. */
export interface ContainerStructBytes {
  name: string;
  file: string;
  /** File offset and length of the whole structure. */
  offset: number;
  length: number;
  /** Its first bytes (at most MAX_CONTAINER_DUMP_BYTES; fewer once the total is spent). */
  bytes: Uint8Array;
  /** Leaf fields, at most MAX_CONTAINER_DUMP_FIELDS. */
  fields: ContainerBytesField[];
  /** Leaf fields not listed. */
  fieldsLeft: number;
}

/** The structures of `source`'s container file(s) with their own bytes; empty for a source that is no container. */
export async function containerStructBytes(source: ByteSource): Promise<ContainerStructBytes[]> {
  if (!isContainerSource(source)) return [];
  const main = source.container.files[0]!;
  const opened = new Map<string, FileSource>();
  const out: ContainerStructBytes[] = [];
  let budget = MAX_CONTAINER_DUMP_TOTAL_BYTES;
  try {
    for (const node of source.structures) {
      const file = node.file ?? main;
      let reader = opened.get(file);
      if (!reader) {
        reader = await FileSource.open(file, { readOnlyHint: true });
        opened.set(file, reader);
      }
      const take = Math.max(0, Math.min(node.length, MAX_CONTAINER_DUMP_BYTES, budget, reader.size - node.offset));
      budget -= take;
      const leaves: ContainerBytesField[] = [];
      let total = 0;
      const walk = (fields: readonly Field[]): void => {
        for (const field of fields) {
          if (field.children?.length) walk(field.children);
          else if (total++ < MAX_CONTAINER_DUMP_FIELDS)
            leaves.push({ path: field.path, offset: field.offset, length: field.length, value: field.value, raw: field.raw });
        }
      };
      walk(node.fields);
      out.push({
        name: node.name,
        file,
        offset: node.offset,
        length: node.length,
        bytes: take > 0 ? await reader.read(node.offset, take) : new Uint8Array(0),
        fields: leaves,
        fieldsLeft: total - leaves.length,
      });
    }
  } finally {
    await Promise.allSettled([...opened.values()].map((r) => r.close()));
  }
  return out;
}
