// The MessageWillBePosted filter's rule: the masked word, in any case, as a whole word, becomes asterisks.

/** `message` with every whole-word occurrence of `word` replaced by asterisks, or undefined if it has none. */
export function maskWord(message: string, word: string): string | undefined {
    if (!word) {
        return undefined;
    }
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // \p{L}\p{N}_ instead of \b, which knows ASCII letters only: "café" must not match inside "cafés".
    const whole = new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'giu');
    const masked = message.replace(whole, (m) => '*'.repeat([...m].length));
    return masked === message ? undefined : masked;
}
