/** The file name every end-to-end suite gives the compacted ESXi 5.0 sample. */
export const SAMPLE = 'esxi5-compacted.img';
