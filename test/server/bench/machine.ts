// What a benchmark figure depends on besides the code: the machine and how busy it was.
import {readFileSync} from 'node:fs';
import os from 'node:os';

export function machineLine(): string {
    const cpus = os.cpus();
    let model = cpus[0]?.model ?? 'unknown CPU';
    try {
        model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
    } catch {
        // not Linux: os.cpus() said it
    }
    return `machine: nproc ${os.availableParallelism()}, ${model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function loadLine(when: string): string {
    return `load average ${when}: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`;
}
