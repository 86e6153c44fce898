// `npm run bench:server` options.
export const usage = `usage: npm run bench:server [-- [--posts <n>] [--rounds <n>] [--users <n>] [--phase-warmup <n>] [--anchor] [--floor] [--max-minutes <n>]]

Posts through REST on a real Mattermost server (PostgreSQL, the fixture of ../shared/mattermost) with the
plugin disabled and enabled in alternating phases; prints posts/s, POST latency and the post-to-DM delay,
and ends with one JSON line.

  --posts <n>        posts per phase (default 600)
  --rounds <n>       off/on pairs per workload (default 3)
  --phase-warmup <n> posts that alert nobody before each phase's measured posts, after its plugin started
                     (default 1000; V8 compiles the hook path over about the first 2 000 hooks)
  --users <n>        listeners with 5 trigger words each (default 100)
  --anchor           also the Go anchor plugin (../shared/anchors/go-trigger, built with Go), side by side
  --floor            also a Go plugin whose MessageHasBeenPosted does nothing (test/conformance/cmd/floorplugin),
                     in the phases without matches: what any plugin that sees every post costs the server
  --max-minutes <n>  stop (and clean up) after this long (default 30)`;

export interface BenchOptions {
    posts: number;
    rounds: number;
    phaseWarmup: number;
    users: number;
    anchor: boolean;
    floor: boolean;
    maxMinutes: number;
    help: boolean;
}

export class BenchUsageError extends Error {
    override name = 'BenchUsageError';
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
    const o: BenchOptions = {posts: 600, rounds: 3, phaseWarmup: 1000, users: 100, anchor: false, floor: false, maxMinutes: 30, help: false};
    const args = [...argv];
    const count = (flag: string, inline: string | undefined, min: number, max: number): number => {
        const v = Number(inline ?? args.shift());
        if (!Number.isInteger(v) || v < min || v > max) {
            throw new BenchUsageError(`${flag} takes a whole number from ${min} to ${max}`);
        }
        return v;
    };
    while (args.length > 0) {
        const arg = args.shift()!;
        const eq = arg.indexOf('=');
        const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
        switch (flag) {
            case '--posts':
                o.posts = count(flag, inline, 4, 20_000);
                break;
            case '--rounds':
                o.rounds = count(flag, inline, 1, 20);
                break;
            case '--phase-warmup':
                o.phaseWarmup = count(flag, inline, 0, 20_000);
                break;
            case '--users':
                o.users = count(flag, inline, 3, 900);
                break;
            case '--max-minutes':
                o.maxMinutes = count(flag, inline, 1, 240);
                break;
            case '--anchor':
                o.anchor = true;
                break;
            case '--floor':
                o.floor = true;
                break;
            case '--help':
            case '-h':
                o.help = true;
                break;
            default:
                throw new BenchUsageError(`unknown argument ${JSON.stringify(arg)} (see --help)`);
        }
    }
    return o;
}
