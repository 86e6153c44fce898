// Types for scripts/build-webapp.mjs, for the tests that import it.
export const HOST_GLOBALS: Readonly<Record<string, string>>;
export const HOST_API: Readonly<{react: readonly string[]; 'react-dom': readonly string[]; 'react-dom/client': readonly string[]}>;
export function hostGlobalsPlugin(): {name: string; setup(build: unknown): void};
export function buildWebapp(options?: {outfile?: string; minify?: boolean; quiet?: boolean; entry?: string}): Promise<{outfile: string; bytes: number; gzipBytes: number}>;
