// Finding processes by where their executable lives: a server unpacked into a folder and the plugin
// processes it starts all run executables from inside that folder, whoever started them (npm start finds
// a server an earlier run left behind; the bench stops its own on Ctrl-C before it knows their pids).
import {readdirSync, readFileSync, readlinkSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

export interface FoundProcess {
    pid: number;
    exe: string;
}

/** Processes whose executable is inside `dir` (Linux /proc; a process that exits meanwhile is skipped). */
export function processesUnder(dir: string): FoundProcess[] {
    return processesWithExePrefix(path.resolve(dir) + path.sep);
}

/** Processes whose executable's path starts with `prefix` (e.g. every scratch folder a mkdtemp prefix names). */
export function processesWithExePrefix(prefix: string): FoundProcess[] {
    const found: FoundProcess[] = [];
    for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        try {
            // A deleted executable (a plugin replaced while running) reads as "<path> (deleted)".
            const exe = readlinkSync(`/proc/${entry}/exe`).replace(/ \(deleted\)$/, '');
            if (exe.startsWith(prefix)) {
                found.push({pid: Number(entry), exe});
            }
        } catch {
            // gone, or not ours to read
        }
    }
    return found;
}

/** Whether `pid` runs (a zombie, dead but not yet reaped by its parent, does not). */
export function isAlive(pid: number): boolean {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
        // no /proc entry: gone, or not Linux
    }
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
}

/** SIGTERM to each, SIGKILL to those still there after `graceMs`. */
export async function stopProcesses(pids: number[], graceMs = 20_000): Promise<void> {
    const signal = (pid: number, s: NodeJS.Signals) => {
        try {
            process.kill(pid, s);
        } catch {
            // already gone
        }
    };
    pids.forEach((pid) => signal(pid, 'SIGTERM'));
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && pids.some(isAlive)) {
        await sleep(200);
    }
    pids.filter(isAlive).forEach((pid) => signal(pid, 'SIGKILL'));
}

/** Whether nothing listens on `port` on loopback (binding it is the only honest test). */
export function portIsFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const srv = net.createServer();
        srv.unref();
        srv.once('error', () => resolve(false));
        srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
}
