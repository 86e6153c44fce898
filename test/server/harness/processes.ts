// Whether a process still runs, from /proc. A killed server's plugin is re-parented to whatever reaps
// orphans here, which may leave it a zombie for a while: a zombie runs no code, so it counts as gone.
import {readFileSync} from 'node:fs';

/** The process's state letter (R, S, D, Z ...), or undefined when there is no such process. */
export function processState(pid: number): string | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    } catch {
        return undefined;
    }
}

export function processRuns(pid: number): boolean {
    const state = processState(pid);
    return state !== undefined && state !== 'Z' && state !== 'X';
}
