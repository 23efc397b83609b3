// Named limits. Every count, size and offset read from an image is checked against
// these before it drives an allocation or a loop (every image is hostile).

/** Logical block sizes we detect and accept. */
export const SUPPORTED_SECTOR_SIZES: readonly number[] = [512, 4096];

/** Largest NumberOfPartitionEntries we read. UEFI sets no maximum; real disks use 128. */
export const MAX_PARTITION_ENTRIES = 16384;

/** Smallest SizeOfPartitionEntry (UEFI 5.3.2: 128 x 2^n). */
export const MIN_PARTITION_ENTRY_SIZE = 128;

/** Largest SizeOfPartitionEntry we read. */
export const MAX_PARTITION_ENTRY_SIZE = 4096;

/** Largest partition entry array we read into memory (entries x entry size). */
export const MAX_ENTRY_ARRAY_BYTES = 4 * 1024 * 1024;

/** UEFI 5.3.2: at least this many bytes are reserved for the entry array. */
export const MIN_ENTRY_ARRAY_RESERVED_BYTES = 16384;

/** Smallest HeaderSize allowed (the defined fields end at byte 92). */
export const MIN_GPT_HEADER_SIZE = 92;

/** Longest chain of extended boot records we follow (logical partitions). */
export const MAX_EBR_CHAIN = 256;

/** Apple Partition Map entries read (libblkid and the Linux kernel stop at the same count); pmMapBlkCnt above it is reported. */
export const MAX_APM_MAP_ENTRIES = 256;

/** nvpairs of a ZFS label's configuration walked before the probe gives up on it. */
export const MAX_ZFS_NVPAIRS = 256;

/** BSD disklabel partitions read: as many 16-byte entries as fit a 512-byte sector after the 148-byte header. */
export const MAX_BSD_PARTITIONS = 22;

/** Largest VMDK descriptor file we read as text. */
export const MAX_VMDK_DESCRIPTOR_BYTES = 64 * 1024;

/** Largest number of extents a VMDK descriptor may list. */
export const MAX_VMDK_EXTENTS = 1024;

/** Byte offsets must stay exact in a JavaScript number. */
export const MAX_IMAGE_BYTES = Number.MAX_SAFE_INTEGER;

/** FAT partitions of one disk whose boot sector and root directory we read (ESXi has five). */
export const MAX_FAT_VOLUMES = 16;

/** Bytes of a FAT root directory we read (8192 entries); a longer one is read up to here. */
export const MAX_FAT_ROOT_DIR_BYTES = 256 * 1024;

/** Clusters of a FAT32 root directory chain we follow before stopping. */
export const MAX_FAT_ROOT_CLUSTERS = 64;

/** Distinct bytes the content probes may read from one volume (all probes together). */
export const MAX_PROBE_BYTES_PER_VOLUME = 64 * 1024;

/** Distinct bytes the content probes may read from one disk (partitions, gaps and its start together). */
export const MAX_PROBE_BYTES_PER_DISK = 1024 * 1024;

/** Volumes smaller than this are not probed (nothing we name fits; hostile one-sector partitions cost nothing). */
export const MIN_PROBED_VOLUME_BYTES = 8 * 1024;

/** Partitions and free-space gaps of one disk whose contents we probe. */
export const MAX_PROBED_VOLUMES = 256;

/** Free-space gaps listed per disk. */
export const MAX_FREE_REGIONS = 128;

/** Smallest gap between partitions that is listed as free space (and probed). */
export const MIN_FREE_REGION_BYTES = 1024 * 1024;

/** Longest value text a hand edit accepts (a whole 4096-byte field as spaced hex fits). */
export const MAX_EDIT_VALUE_CHARS = 16 * 1024;

/** Most assignments one `diskx set` (or one editor edit) may carry. */
export const MAX_EDIT_ASSIGNMENTS = 256;

/** Code units of a GPT partition name (UEFI 5.3.3: 72 bytes of UTF-16LE). */
export const GPT_NAME_CODE_UNITS = 36;

/** Longest search pattern in bytes (after decoding hex, text or a GUID). */
export const MAX_FIND_PATTERN_BYTES = 4096;

/** Matches a search reports before it stops (and says it stopped). */
export const MAX_FIND_RESULTS = 10_000;

/** Bytes read per step of a search (one buffer, reused; a pattern's length - 1 overlaps). */
export const FIND_CHUNK_BYTES = 4 * 1024 * 1024;

/** Bytes of the image a user's Kaitai spec may read, from where it is applied (its window). */
export const SPEC_WINDOW_BYTES = 16 * 1024 * 1024;

/** Time a spec's parse may run before its worker is stopped (an endless `repeat-until`). */
export const SPEC_PARSE_TIME_LIMIT_MS = 10_000;

/** Heap a spec's parse worker may use (a `repeat: eos` of tiny items over a huge window). */
export const SPEC_PARSE_HEAP_MB = 256;

/** Time the Kaitai compiler may take for one spec with its imports. */
export const SPEC_COMPILE_TIME_LIMIT_MS = 60_000;

/** Heap of the compiler's child process. */
export const SPEC_COMPILER_HEAP_MB = 1024;

/** Largest .ksy file we read. */
export const MAX_SPEC_FILE_BYTES = 1024 * 1024;

/** Most .ksy files one spec may pull in through `imports:` (directly or not). */
export const MAX_SPEC_IMPORTS = 64;

/** Most fields of one parsed spec we return (the rest of a huge array is cut, and said so). */
export const MAX_SPEC_FIELDS = 50_000;

/** Leading bytes of a byte-array field shown as its value. */
export const MAX_SPEC_BYTES_SHOWN = 64;

/** Most data extents of a sparse file we take from the extent helper; more and the scan reads every byte. */
export const MAX_DATA_EXTENTS = 200_000;

/** Time the extent helper (filefrag) may take before the scan reads every byte instead. */
export const DATA_RANGES_TIMEOUT_MS = 10_000;

/** Candidate volumes (and stray table sectors) the partition scan keeps; more are counted as dropped. */
export const MAX_SCAN_CANDIDATES = 10_000;

/** Bytes the partition scan reads per sequential step. */
export const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;

/** Chunk reads the partition scan keeps in flight (its memory: this many chunk buffers). */
export const SCAN_READS_IN_FLIGHT = 4;

/** Bytes the partition scan reads per synchronous step from a file (small enough to stay in the CPU cache for the search). */
export const SCAN_SYNC_CHUNK_BYTES = 1024 * 1024;

/** Chunk slots shared between the partition scan's reader thread and its search (memory: this many SCAN_SYNC_CHUNK_BYTES). */
export const SCAN_WORKER_SLOTS = 4;

/** Longest the partition scan waits for its reader thread before it looks again for a cancel or a reader that died. */
export const SCAN_WORKER_POLL_MS = 200;

/** The partition scan's blocking wait for the reader thread's next slot, before an asynchronous one (ms). */
export const SCAN_WORKER_BLOCK_MS = 20;

/** The longest the partition scan's search goes without letting the event loop run (ms; plus one blocking wait). */
export const SCAN_MAX_BLOCKING_MS = 50;

/** Bytes the partition scan reads synchronously before it yields to the event loop (progress, cancel). */
export const SCAN_YIELD_BYTES = 32 * 1024 * 1024;

/** Partitions a scan proposal may hold (a GPT array's usual 128 slots). */
export const MAX_PROPOSED_PARTITIONS = 128;

/** Bytes of a whole-disk FAT file system's root directory read to tell whether it holds files (its first cluster at most). */
export const MAX_WHOLE_DISK_DIRECTORY_BYTES = 256 * 1024;

/** $MFT records of a whole-disk NTFS file system read to tell whether it holds files (the system files and the first user ones). */
export const MAX_WHOLE_DISK_MFT_RECORDS = 256;
// Containers (qcow2, VHD, VHDX, VMDK sparse, VDI): every table is read entry by
// entry through the page cache, so a hostile size costs no memory; these bound
// what a single read, a decompression or a chain of parents may take.

/** Largest single read through a container source (scans read far less at a time). */
export const MAX_CONTAINER_READ_BYTES = 64 * 1024 * 1024;

/** Decompressed grains/clusters kept (each at most MAX_COMPRESSED_BLOCK_BYTES). */
export const MAX_DECOMPRESSED_CACHE_BLOCKS = 16;

/** Largest compressed block we inflate (qcow2 clusters are at most 2 MiB, VMDK grains usually 64 KiB). */
export const MAX_COMPRESSED_BLOCK_BYTES = 2 * 1024 * 1024;

/** Longest chain of parents (qcow2 backing files, VHD/VHDX differencing parents) we follow. */
export const MAX_PARENT_CHAIN = 16;

/** Largest qcow2 L1 table (entries); 2^22 entries of 64 KiB clusters address 2^51 bytes. */
export const MAX_QCOW2_L1_ENTRIES = 1 << 22;

/** Internal qcow2 snapshots listed (QEMU's own limit is 65536). */
export const MAX_QCOW2_SNAPSHOTS = 1024;

/** Block allocation table entries (VHD, VDI, VHDX) and VMDK grain directory entries we address. */
export const MAX_BLOCK_TABLE_ENTRIES = 1 << 26;

/** Largest block, cluster or grain in bytes (VHDX allows 256 MiB blocks). */
export const MAX_CONTAINER_BLOCK_BYTES = 256 * 1024 * 1024;

/** Table bytes read to count allocated blocks for `inspect` (skipped above this). */
export const MAX_ALLOCATION_SCAN_BYTES = 16 * 1024 * 1024;

/** Table bytes read to check that no two table entries (or an entry and the metadata) share file bytes, before a write. */
export const MAX_LAYOUT_SCAN_BYTES = 256 * 1024 * 1024;

/** The same check done by `check` (for its finding) reads tables up to this size only, to keep `check` as fast as on a raw image. */
export const MAX_CHECK_LAYOUT_BYTES = 1024 * 1024;

/** Allocated blocks (plus metadata pieces) that check holds, 24 bytes each; above it a write is refused as unchecked. */
export const MAX_LAYOUT_SCAN_ENTRIES = 1 << 22;

/** VHDX region table and metadata table entries (the format's own maximum is 2047). */
export const MAX_VHDX_TABLE_ENTRIES = 2047;

/** Bytes of one container structure `inspect --container-bytes` dumps (a VHDX header's 4 KiB; longer tables are cut). */
export const MAX_CONTAINER_DUMP_BYTES = 4096;

/** Bytes all the dumped structures of one container may take together. */
export const MAX_CONTAINER_DUMP_TOTAL_BYTES = 1024 * 1024;

/** Fields listed per dumped structure (a VHDX table holds up to 2047 entries). */
export const MAX_CONTAINER_DUMP_FIELDS = 512;

/** How long a second writer waits for the image's write lock before it gives up (ms). */
export const IMAGE_LOCK_WAIT_MS = 3000;

/** Poll interval while waiting for the write lock (ms). */
export const IMAGE_LOCK_POLL_MS = 50;

/** Largest lock file we read (it holds one small JSON object). */
export const MAX_LOCK_FILE_BYTES = 4096;

/** Longest wait for the write lock that DISKX_LOCK_WAIT_MS may ask for (ms). */
export const MAX_LOCK_WAIT_MS = 10 * 60 * 1000;

/** Largest undo journal we read or write (the JSON history of every repair of one image). */
export const MAX_JOURNAL_BYTES = 32 * 1024 * 1024;

/** Largest field of a user spec that can be set by value (its bytes as hex in an input box). */
export const MAX_SPEC_EDIT_BYTES = 64 * 1024;

/** Areas one disk map draws (tables, partitions, gaps); a hostile table's further partitions are counted, not drawn. */
export const MAX_DISK_MAP_AREAS = 1024;
/** Rows of a disk map: overlapping areas go to the rows below, the last row takes any further overlap. */
export const MAX_DISK_MAP_LANES = 4;

/** Parses the writer remembers between saves (core/write/parseMemo.ts), one per image and sector size. */
export const PARSE_MEMO_ENTRIES = 4;
/** Most bytes a remembered parse may have read (they are kept to check it against the image next time). */
export const PARSE_MEMO_MAX_BYTES = 4 * 1024 * 1024;

/** Bytes of each file the native byte diff helper maps at a time, per thread (its memory: threads x 2 x this). */
export const NATIVE_DIFF_WINDOW_BYTES = 8 * 1024 * 1024;
/** Threads the native byte diff helper may use (it takes one when the files are not in the page cache). */
export const NATIVE_DIFF_THREADS = 2;
/** Smallest comparison handed to the native helper: below it, starting a process costs more than it saves. */
export const NATIVE_DIFF_MIN_BYTES = 16 * 1024 * 1024;
/** Longest line the native helper may print; a longer one is malformed output. */
export const NATIVE_DIFF_MAX_LINE = 64;
/** Bytes of the native helper's error output kept for its one-line message. */
export const NATIVE_DIFF_MAX_STDERR = 1024;
