// Types for args.mjs, for TypeScript callers (the package's tests import it).
export class UsageError extends Error {}
export const SYNOPSIS: string;
export const USAGE: string;
export type CommandLine =
    | {command: 'help'}
    | {command: 'build'; pluginDir: string}
    | {command: 'dist'; pluginDir: string; platforms: string[]; build: boolean; unsignedDarwin: boolean; execArgv: string[]; cacheDir: string};
export function parseCommandLine(argv: readonly string[], context?: {cwd?: string; env?: Record<string, string | undefined>; home?: string}): CommandLine;
