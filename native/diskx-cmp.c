// diskx-cmp: the optional native fast path of diskx's byte diff (Linux).
// Copyright the Disk Structure Explorer authors. Licensed under the Apache License, Version 2.0.
//
// It compares two files that diskx has already opened and checked; it never opens a
// path itself. The files arrive as inherited descriptors and are read through
// mmap in bounded windows (no copy into a buffer: the copy is what read() costs),
// compared with memcmp, byte by byte only inside differing 512-byte blocks, by
// several threads at once (window i goes to thread i % threads). The output is
// the same as src/core/diff/byteDiff.ts: maximal runs of differing bytes, in
// order, at most MAX_RANGES of them (then "truncated" and where the next run starts).
//
// Usage: diskx-cmp 1 FD_A BASE_A FD_B BASE_B TOTAL MAX_RANGES THREADS WINDOW
//   compares [BASE_A, BASE_A + TOTAL) of FD_A with [BASE_B, BASE_B + TOTAL) of FD_B,
//   only inside the spans read from stdin, one "OFFSET LENGTH" line each (decimal,
//   sorted, disjoint, within [0, TOTAL)); bytes outside every span are equal (holes).
// stdout, one record a line:
//   "diskx-cmp 1"        first, once both files could be mapped (before that: not usable)
//   "r OFFSET LENGTH"    a differing run, in increasing order
//   "p DONE"             progress: every byte before DONE is compared
//   "e TRUNCATED SCANNED" last: 0 TOTAL, or 1 and the offset where the first run beyond the cap starts
// Exit 0 after "e". Errors: one line on stderr and exit 2 (bad arguments or span list),
// 3 ("truncated a|b OFFSET NEEDED": a file shrank; "io a|b": a read failed), 4 (anything else),
// 5 (before the first line: the files cannot be mapped, the caller uses its own path).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK 512
#define CHUNK (256 * 1024)      /* memcmp step inside a window */
#define RUN_CAP 4096            /* runs a worker keeps per window; beyond, the merger scans the rest */
#define MAX_THREADS 16
#define MAX_SPANS (4u << 20)
#define MAX_SAFE 9007199254740991ULL /* 2^53 - 1: offsets stay exact in the caller's numbers */
#define NONE UINT64_MAX

typedef struct { uint64_t off, len; } span_t;
typedef struct { uint64_t start, end; } run_t;

static int fd_a, fd_b;
static uint64_t base_a, base_b, total, max_ranges, window_size;
static unsigned threads;
static span_t *spans;
static size_t nspans;
static long page;
static volatile int stop_all;

/* ---- strict numbers ---- */
static int parse_u64(const char *s, uint64_t max, uint64_t *out) {
  uint64_t v = 0;
  if (!*s || (s[0] == '0' && s[1])) return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return -1;
    if (v > (max - (uint64_t)(*s - '0')) / 10) return -1;
    v = v * 10 + (uint64_t)(*s - '0');
  }
  *out = v;
  return 0;
}

static void die(int code, const char *what) {
  fflush(stdout);
  fprintf(stderr, "%s\n", what);
  _exit(code);
}

/* ---- a mapped window and what a SIGBUS inside it means ---- */
typedef struct {
  uint8_t *map_a, *map_b;   /* page-aligned mappings */
  size_t map_len_a, map_len_b;
  uint64_t off, len;        /* the window, in compared bytes */
} window_map_t;

static __thread window_map_t *current;

static void put_u64(char **p, uint64_t v) {
  char tmp[24];
  int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) *(*p)++ = tmp[--n];
}

static void on_sigbus(int sig, siginfo_t *info, void *uc) {
  (void)sig; (void)uc;
  char msg[96], *p = msg;
  window_map_t *w = current;
  uint8_t *addr = info->si_addr;
  int which = -1;
  if (w && addr >= w->map_a && addr < w->map_a + w->map_len_a) which = 0;
  else if (w && addr >= w->map_b && addr < w->map_b + w->map_len_b) which = 1;
  struct stat st;
  if (which >= 0 && fstat(which ? fd_b : fd_a, &st) == 0) {
    uint64_t base = which ? base_b : base_a;
    uint64_t now = (uint64_t)st.st_size > base ? (uint64_t)st.st_size - base : 0;
    if (now < w->off + w->len) {
      uint64_t at = now > w->off ? now : w->off;
      memcpy(p, which ? "truncated b " : "truncated a ", 12); p += 12;
      put_u64(&p, at); *p++ = ' ';
      put_u64(&p, w->off + w->len - at);
    } else {
      memcpy(p, which ? "io b" : "io a", 4); p += 4;
    }
  } else {
    memcpy(p, "io", 2); p += 2;
  }
  *p++ = '\n';
  ssize_t ignored = write(2, msg, (size_t)(p - msg));
  (void)ignored;
  _exit(3);
}

static int advice = MADV_SEQUENTIAL;
static int populate = 0;

static void map_window(window_map_t *w, uint64_t off, uint64_t len) {
  w->off = off;
  w->len = len;
  uint64_t fa = base_a + off, fb = base_b + off;
  uint64_t da = fa % (uint64_t)page, db = fb % (uint64_t)page;
  w->map_len_a = (size_t)(len + da);
  w->map_len_b = (size_t)(len + db);
  int flags = MAP_SHARED | (populate ? MAP_POPULATE : 0);
  w->map_a = mmap(NULL, w->map_len_a, PROT_READ, flags, fd_a, (off_t)(fa - da));
  if (w->map_a == MAP_FAILED) die(4, "cannot map file a");
  w->map_b = mmap(NULL, w->map_len_b, PROT_READ, flags, fd_b, (off_t)(fb - db));
  if (w->map_b == MAP_FAILED) die(4, "cannot map file b");
  if (advice >= 0) {
    madvise(w->map_a, w->map_len_a, advice);
    madvise(w->map_b, w->map_len_b, advice);
  }
  w->map_a += da;
  w->map_b += db;
  current = w;
}

static void unmap_window(window_map_t *w) {
  current = NULL;
  uint64_t da = (base_a + w->off) % (uint64_t)page, db = (base_b + w->off) % (uint64_t)page;
  munmap(w->map_a - da, w->map_len_a);
  munmap(w->map_b - db, w->map_len_b);
}

/* ---- the comparison: maximal differing runs of [0, len), reported as they close ---- */
typedef int (*emit_fn)(void *ctx, uint64_t start, uint64_t end); /* nonzero: stop */

static int scan(const uint8_t *a, const uint8_t *b, uint64_t base, uint64_t len, emit_fn emit, void *ctx) {
  uint64_t run = NONE;
  for (uint64_t c = 0; c < len; c += CHUNK) {
    if (stop_all) return 2;
    uint64_t ce = c + CHUNK < len ? c + CHUNK : len;
    if (memcmp(a + c, b + c, ce - c) == 0) {
      if (run != NONE) {
        if (emit(ctx, base + run, base + c)) return 1;
        run = NONE;
      }
      continue;
    }
    for (uint64_t blk = c; blk < ce; blk += BLOCK) {
      uint64_t be = blk + BLOCK < ce ? blk + BLOCK : ce;
      if (memcmp(a + blk, b + blk, be - blk) == 0) {
        if (run != NONE) {
          if (emit(ctx, base + run, base + blk)) return 1;
          run = NONE;
        }
        continue;
      }
      for (uint64_t i = blk; i < be; i++) {
        if (a[i] != b[i]) {
          if (run == NONE) run = i;
        } else if (run != NONE) {
          if (emit(ctx, base + run, base + i)) return 1;
          run = NONE;
        }
      }
    }
  }
  if (run != NONE && emit(ctx, base + run, base + len)) return 1;
  return 0;
}

/* ---- windows: each span cut into WINDOW-sized pieces, numbered in order ---- */
typedef struct { size_t span; uint64_t at; uint64_t index; } cursor_t;

static int next_window(cursor_t *c, uint64_t *off, uint64_t *len) {
  while (c->span < nspans && c->at >= spans[c->span].off + spans[c->span].len) {
    c->span++;
    if (c->span < nspans) c->at = spans[c->span].off;
  }
  if (c->span >= nspans) return 0;
  uint64_t end = spans[c->span].off + spans[c->span].len;
  *off = c->at;
  *len = end - c->at < window_size ? end - c->at : window_size;
  c->at += *len;
  return 1;
}

/* Are all pages of window [off, off + len) of both files in the page cache? */
static int cached(uint64_t off, uint64_t len) {
  window_map_t w;
  int all = 1;
  map_window(&w, off, len);
  for (int f = 0; f < 2 && all; f++) {
    uint8_t *start = (f ? w.map_b : w.map_a) - (f ? (base_b + off) : (base_a + off)) % (uint64_t)page;
    size_t bytes = f ? w.map_len_b : w.map_len_a;
    size_t pages = (bytes + (size_t)page - 1) / (size_t)page;
    unsigned char *vec = malloc(pages);
    if (!vec || mincore(start, bytes, vec)) all = 0;
    for (size_t i = 0; all && i < pages; i++) all = vec[i] & 1;
    free(vec);
  }
  unmap_window(&w);
  return all;
}

/*
 * Threads for this scan: as asked when the files are in the page cache (memcmp and
 * page mapping are the work, and they split), else one: two threads faulting in
 * alternate windows of the same open file defeat the kernel's sequential read-ahead
 * (measured: 2.2-3.6 s vs 0.9-1.2 s per cold 1 GiB pair). Decided from the first,
 * middle and last windows.
 */
static unsigned threads_for_scan(void) {
  if (threads == 1 || nspans == 0) return 1;
  uint64_t count = 0;
  for (size_t i = 0; i < nspans; i++) count += (spans[i].len + window_size - 1) / window_size;
  uint64_t samples[3] = {0, count / 2, count - 1};
  for (int k = 0; k < 3; k++) {
    uint64_t skip = samples[k];
    for (size_t i = 0; i < nspans; i++) {
      uint64_t n = (spans[i].len + window_size - 1) / window_size;
      if (skip >= n) {
        skip -= n;
        continue;
      }
      uint64_t off = spans[i].off + skip * window_size, end = spans[i].off + spans[i].len;
      if (!cached(off, end - off < window_size ? end - off : window_size)) return 1;
      break;
    }
  }
  return threads;
}

/* ---- results handed from the workers to the merger, in window order ---- */
typedef struct {
  int ready;
  uint64_t index, off, len;
  run_t runs[RUN_CAP];
  size_t nruns;
  uint64_t overflow_at; /* NONE, or where the run that did not fit starts */
} slot_t;

static slot_t *slots;
static unsigned nslots;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;

static int keep_run(void *ctx, uint64_t start, uint64_t end) {
  slot_t *s = ctx;
  if (s->nruns == RUN_CAP) {
    s->overflow_at = start;
    return 1;
  }
  s->runs[s->nruns].start = start;
  s->runs[s->nruns].end = end;
  s->nruns++;
  return 0;
}

static void *worker(void *arg) {
  unsigned id = (unsigned)(uintptr_t)arg;
  cursor_t c = {0, nspans ? spans[0].off : 0, 0};
  uint64_t off, len;
  window_map_t w;
  for (uint64_t index = 0; next_window(&c, &off, &len); index++) {
    if (index % threads != id) continue;
    slot_t *s = &slots[index % nslots];
    pthread_mutex_lock(&lock);
    while (s->ready && !stop_all) pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    if (stop_all) break;
    s->index = index;
    s->off = off;
    s->len = len;
    s->nruns = 0;
    s->overflow_at = NONE;
    map_window(&w, off, len);
    scan(w.map_a, w.map_b, off, len, keep_run, s);
    unmap_window(&w);
    pthread_mutex_lock(&lock);
    s->ready = 1;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

/* ---- the merger: joins runs across windows, applies the cap, prints ---- */
static uint64_t pending_start = NONE, pending_end, emitted;
static int truncated;
static uint64_t stopped_at;

static int feed(void *ctx, uint64_t start, uint64_t end) {
  (void)ctx;
  if (pending_start != NONE && start == pending_end) {
    pending_end = end;
    return 0;
  }
  if (pending_start != NONE) {
    printf("r %llu %llu\n", (unsigned long long)pending_start, (unsigned long long)(pending_end - pending_start));
    emitted++;
  }
  if (emitted >= max_ranges) {
    truncated = 1;
    stopped_at = start;
    pending_start = NONE;
    return 1;
  }
  pending_start = start;
  pending_end = end;
  return 0;
}

static void read_spans(void) {
  size_t cap = 64, len = 0, line = 0;
  spans = malloc(cap * sizeof *spans);
  char buf[64];
  size_t fill = 0;
  uint64_t last_end = 0;
  int c;
  if (!spans) die(4, "out of memory");
  while ((c = getchar()) != EOF) {
    if (c != '\n') {
      if (fill + 1 >= sizeof buf) die(2, "span line too long");
      buf[fill++] = (char)c;
      continue;
    }
    buf[fill] = 0;
    fill = 0;
    line++;
    char *space = strchr(buf, ' ');
    uint64_t off, n;
    if (!space) die(2, "bad span line");
    *space = 0;
    if (parse_u64(buf, MAX_SAFE, &off) || parse_u64(space + 1, MAX_SAFE, &n) || n == 0) die(2, "bad span line");
    if (off < last_end || n > total || off > total - n) die(2, "spans out of order or outside the compared bytes");
    if (len == MAX_SPANS) die(2, "too many spans");
    if (len == cap) {
      cap *= 2;
      span_t *grown = realloc(spans, cap * sizeof *spans);
      if (!grown) die(4, "out of memory");
      spans = grown;
    }
    spans[len].off = off;
    spans[len].len = n;
    len++;
    last_end = off + n;
  }
  if (fill) die(2, "span list does not end with a newline");
  nspans = len;
}

int main(int argc, char **argv) {
  uint64_t v[9];
  static const uint64_t max[9] = {1, 1 << 20, MAX_SAFE, 1 << 20, MAX_SAFE, MAX_SAFE, 1000000, MAX_THREADS, 1ULL << 30};
  if (argc != 10) die(2, "usage: diskx-cmp 1 FD_A BASE_A FD_B BASE_B TOTAL MAX_RANGES THREADS WINDOW");
  for (int i = 0; i < 9; i++)
    if (parse_u64(argv[i + 1], max[i], &v[i])) die(2, "bad argument");
  if (v[0] != 1) die(2, "unknown protocol version");
  fd_a = (int)v[1]; base_a = v[2]; fd_b = (int)v[3]; base_b = v[4];
  total = v[5]; max_ranges = v[6]; threads = (unsigned)v[7]; window_size = v[8];
  page = sysconf(_SC_PAGESIZE);
  if (max_ranges < 1 || threads < 1 || window_size < 1) die(2, "bad argument");
  window_size = (window_size + (uint64_t)page - 1) / (uint64_t)page * (uint64_t)page; /* whole pages */
  if (base_a > MAX_SAFE - total || base_b > MAX_SAFE - total) die(2, "bad argument");

  /* Stop with the caller: a scan nobody reads is not left running. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) _exit(4);

  const char *env = getenv("DISKX_CMP_ADVICE"); /* measurements only: seq (default), willneed, normal, populate */
  if (env && !strcmp(env, "willneed")) advice = MADV_WILLNEED;
  else if (env && !strcmp(env, "normal")) advice = -1;
  else if (env && !strcmp(env, "populate")) { advice = -1; populate = 1; }

  struct stat sa, sb;
  if (fstat(fd_a, &sa) || fstat(fd_b, &sb) || !S_ISREG(sa.st_mode) || !S_ISREG(sb.st_mode)) die(5, "not two regular files");
  if (total > 0) {
    /* Can these files be mapped at all (some file systems cannot)? */
    void *pa = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd_a, 0);
    void *pb = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd_b, 0);
    if (pa == MAP_FAILED || pb == MAP_FAILED) die(5, "cannot map the files");
    munmap(pa, (size_t)page);
    munmap(pb, (size_t)page);
  }
  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  printf("diskx-cmp 1\n");
  fflush(stdout);

  read_spans();
  if ((uint64_t)sa.st_size < base_a + total) {
    fprintf(stderr, "truncated a %llu %llu\n", (unsigned long long)((uint64_t)sa.st_size > base_a ? sa.st_size - base_a : 0), (unsigned long long)total);
    _exit(3);
  }
  if ((uint64_t)sb.st_size < base_b + total) {
    fprintf(stderr, "truncated b %llu %llu\n", (unsigned long long)((uint64_t)sb.st_size > base_b ? sb.st_size - base_b : 0), (unsigned long long)total);
    _exit(3);
  }

  struct sigaction act;
  memset(&act, 0, sizeof act);
  act.sa_sigaction = on_sigbus;
  act.sa_flags = SA_SIGINFO;
  sigemptyset(&act.sa_mask);
  sigaction(SIGBUS, &act, NULL);

  threads = threads_for_scan();
  nslots = threads * 2;
  slots = calloc(nslots, sizeof *slots);
  if (!slots) die(4, "out of memory");
  pthread_t tid[MAX_THREADS];
  for (unsigned t = 0; t < threads; t++)
    if (pthread_create(&tid[t], NULL, worker, (void *)(uintptr_t)t)) die(4, "cannot start a thread");

  cursor_t c = {0, nspans ? spans[0].off : 0, 0};
  uint64_t off, len, prev_end = 0;
  for (uint64_t index = 0; !truncated && next_window(&c, &off, &len); index++) {
    slot_t *s = &slots[index % nslots];
    pthread_mutex_lock(&lock);
    while (!(s->ready && s->index == index)) pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    /* After a hole, a run at the window's start is not contiguous with the open one (start != its end). */
    for (size_t i = 0; i < s->nruns && !truncated; i++) feed(NULL, s->runs[i].start, s->runs[i].end);
    if (!truncated && s->overflow_at != NONE) {
      /* More runs than a slot holds: scan the rest of this window here, straight into the merger. */
      window_map_t w;
      uint64_t from = s->overflow_at;
      map_window(&w, from, off + len - from);
      scan(w.map_a, w.map_b, from, off + len - from, feed, NULL);
      unmap_window(&w);
    }
    pthread_mutex_lock(&lock);
    s->ready = 0;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    prev_end = off + len;
    if (!truncated) {
      printf("p %llu\n", (unsigned long long)prev_end);
      fflush(stdout);
    }
  }
  if (!truncated && pending_start != NONE) {
    printf("r %llu %llu\n", (unsigned long long)pending_start, (unsigned long long)(pending_end - pending_start));
    emitted++;
  }
  printf("e %d %llu\n", truncated, (unsigned long long)(truncated ? stopped_at : total));
  if (fflush(stdout)) die(4, "cannot write the result");
  stop_all = 1;
  _exit(0);
}
