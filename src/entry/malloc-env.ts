/**
 * glibc's malloc raises its mmap threshold (up to 32 MB) each time a large block is freed, after
 * which buffers of that size come from heap arenas and their memory stays with the process once
 * freed. A server that reads 24 MB PDFs, in several worker threads, kept ~200 MB it no longer used
 * (idle after ingesting the eval manuals: 366 MB, against 146 MB with the threshold fixed; ADR 0018).
 * Fixing it at glibc's own default (128 KiB) returns every large buffer to the system when freed.
 * glibc reads it when a process starts: `npm start` and cluster workers get it; other launchers
 * (systemd, `node dist/src/entry/server.js`, `manuel serve`) should set it in the environment.
 */
export const MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: '131072' } as const;

/** True on Linux without the setting (a hint is worth logging; other C libraries ignore it). */
export const mallocEnvMissing = (env: NodeJS.ProcessEnv = process.env): boolean => process.platform === 'linux' && env.MALLOC_MMAP_THRESHOLD_ === undefined;
