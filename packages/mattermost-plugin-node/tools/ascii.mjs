// The main script of a standalone executable should be ASCII: V8 keeps a one-byte source as it is, while one
// other character anywhere makes it hold the whole script as UTF-16 (twice the size, on the heap; see
// executable.mjs). esbuild's `charset: 'ascii'` escapes strings, templates and identifiers but leaves
// regular expression literals as written; this esbuild plugin escapes what remains once the bundle is
// written. A \uXXXX escape means the same character in a regular expression (with or without the u flag,
// where an escaped surrogate pair is one code point), a string or an identifier, so no meaning changes;
// a source map stays right up to the first escaped character of a line (columns after it move by 5 each).

/** Every character outside ASCII as \uXXXX (UTF-16 code units, so astral characters become a pair). */
export function escapeNonAscii(text) {
    return text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** esbuild plugin: rewrites the written JavaScript outputs (build options outfile/outdir, write: true) to ASCII. */
export function asciiOutput() {
    return {
        name: 'ascii-output',
        setup(build) {
            build.onEnd(async (result) => {
                if (result.errors.length > 0) {
                    return;
                }
                const {readFile, writeFile} = await import('node:fs/promises');
                const outputs = Object.keys(result.metafile?.outputs ?? {}).filter((f) => /\.(c|m)?js$/.test(f));
                if (outputs.length === 0) {
                    throw new Error('ascii-output: no JavaScript output listed (the build needs metafile: true)');
                }
                for (const file of outputs) {
                    const text = await readFile(file, 'utf8');
                    const ascii = escapeNonAscii(text);
                    if (ascii !== text) {
                        await writeFile(file, ascii);
                    }
                }
            });
        },
    };
}
