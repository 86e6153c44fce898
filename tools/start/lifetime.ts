// What a long-running command started, to be stopped in reverse order exactly once: on Ctrl-C or SIGTERM
// at any moment (also halfway through starting), on an error, or when the command is done.
export class Lifetime {
    private readonly stack: {what: string; stop: () => Promise<void> | void}[] = [];
    private closing?: Promise<{stopped: number; failed: number}>;

    constructor(private readonly report: (line: string) => void) {}

    /** Registers how to stop something that was just started; `what` is said when it is stopped. */
    defer(what: string, stop: () => Promise<void> | void): void {
        this.stack.push({what, stop});
    }

    get closed(): boolean {
        return this.closing !== undefined;
    }

    /** Stops everything registered, newest first; says how many things it stopped and how many it could not. */
    close(): Promise<{stopped: number; failed: number}> {
        this.closing ??= (async () => {
            let stopped = 0;
            let failed = 0;
            while (this.stack.length > 0) {
                const {what, stop} = this.stack.pop()!;
                try {
                    await stop();
                    stopped++;
                    this.report(`stopped ${what}`);
                } catch (e) {
                    failed++;
                    this.report(`could not stop ${what}: ${e instanceof Error ? e.message : String(e)}`);
                }
            }
            return {stopped, failed};
        })();
        return this.closing;
    }
}
