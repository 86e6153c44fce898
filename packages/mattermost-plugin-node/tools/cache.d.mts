// Types for cache.mjs, for TypeScript callers (the package's tests import it).
export const CACHE_ENV: string;
export function cacheDir(from?: {flag?: string; env?: Record<string, string | undefined>; home?: string; cwd?: string}): string;
export function runtimesCache(dir: string): string;
export function librariesCache(dir: string): string;
