// What `npm start` keeps between runs: one local folder (gitignored) with the unpacked server, its plugin
// folder, file store and log, and a small JSON record of what lives elsewhere (the database's password,
// which bundle was installed, which server process this command started).
import {existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

export interface StartRecord {
    database?: string;
    databasePassword?: string;
    /** sha256 of the bundle file that was installed last, and the server version it was prepared for. */
    installedBundle?: string;
    /** The server process and the `npm start` process that started it (to find one left behind). */
    serverPid?: number;
    ownerPid?: number;
}

export class StateFolder {
    readonly recordFile: string;

    constructor(readonly dir: string) {
        this.recordFile = path.join(dir, 'state.json');
    }

    /** The server's own files: its unpacked home lives below, its plugin folder and log beside it. */
    get serverParent(): string {
        return path.join(this.dir, 'server');
    }

    get fileStore(): string {
        return path.join(this.dir, 'files');
    }

    ensure(): void {
        mkdirSync(this.dir, {recursive: true});
    }

    read(): StartRecord {
        if (!existsSync(this.recordFile)) {
            return {};
        }
        try {
            return JSON.parse(readFileSync(this.recordFile, 'utf8')) as StartRecord;
        } catch {
            return {};
        }
    }

    /** Merges `patch` into the record; written whole and renamed, so a Ctrl-C never leaves half a file. */
    update(patch: Partial<StartRecord>): StartRecord {
        const next = {...this.read(), ...patch};
        this.ensure();
        const tmp = `${this.recordFile}.tmp`;
        writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
        renameSync(tmp, this.recordFile);
        return next;
    }

    remove(): void {
        rmSync(this.dir, {recursive: true, force: true});
    }
}
