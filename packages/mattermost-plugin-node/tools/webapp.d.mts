// Types for webapp.mjs, for TypeScript callers (the repository's tests import it).
export const HOST_GLOBALS: Readonly<Record<string, string>>;
export const HOST_API: Readonly<{react: readonly string[]; 'react-dom': readonly string[]; 'react-dom/client': readonly string[]}>;
export function hostGlobalsPlugin(): {name: string; setup(build: unknown): void};
export function buildWebapp(options: {entry: string; outfile: string; dev?: boolean; root?: string; quiet?: boolean}): Promise<{outfile: string; bytes: number; gzipBytes: number}>;
