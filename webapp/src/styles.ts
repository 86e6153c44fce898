// The panel's CSS. Colours come only from the CSS variables the Mattermost webapp sets from the user's theme,
// so the panel follows light, dark and custom themes.
//
// The panel is drawn inside the web app's page, whose global CSS (Bootstrap 3's base plus the web app's own)
// restyles bare elements: h2 at 30px with 20px margins, legend at 21px with a rule under it, label bold with a
// bottom margin, p and ul with bottom margins, and more. So every element of the panel first goes back to the
// browser's own defaults (`all: revert` drops every author rule, the host's included, for the properties the
// panel does not set itself), then the panel's classes set what they need explicitly: font size, line height,
// weight, margins, padding, borders. Every rule starts with `.tw-backdrop .tw-…` (two classes), which outranks
// the host's element rules (`h2`) and its one-class-plus-element rules (`.app__body h2`).
const scope = '.tw-backdrop';

export const css = `
${scope} {
    all: revert;
    position: fixed;
    inset: 0;
    z-index: 1100;
    display: flex;
    align-items: flex-start;
    justify-content: center;
    margin: 0;
    padding: 10vh 16px 16px;
    background: rgba(var(--sidebar-bg-rgb, var(--center-channel-color-rgb)), 0.64);
    overflow-y: auto;
}
${scope} .tw-dialog,
${scope} .tw-dialog :where(div, span, p, h2, h3, ul, li, section, label, input, button, fieldset, legend) {
    all: revert;
    box-sizing: border-box;
}
${scope} .tw-dialog {
    width: min(560px, 100%);
    max-height: 80vh;
    display: flex;
    flex-direction: column;
    margin: 0;
    padding: 0;
    background: var(--center-channel-bg);
    color: var(--center-channel-color);
    border: 1px solid rgba(var(--center-channel-color-rgb), 0.16);
    border-radius: 12px;
    box-shadow: 0 20px 32px rgba(var(--center-channel-color-rgb), 0.12);
    font-family: inherit;
    font-size: 14px;
    font-style: normal;
    font-weight: 400;
    line-height: 20px;
    letter-spacing: normal;
    text-align: left;
    text-transform: none;
    white-space: normal;
    outline: none;
}
${scope} .tw-header {
    display: flex;
    align-items: flex-start;
    gap: 12px;
    padding: 20px 24px 12px;
    border-bottom: 1px solid rgba(var(--center-channel-color-rgb), 0.08);
}
${scope} .tw-header-text { flex: 1; min-width: 0; }
${scope} .tw-title {
    margin: 0; padding: 0; border: none;
    font-family: inherit; font-size: 20px; line-height: 28px; font-weight: 600;
    color: var(--center-channel-color);
}
${scope} .tw-subtitle {
    margin: 2px 0 0; font-size: 14px; line-height: 20px;
    color: rgba(var(--center-channel-color-rgb), 0.64); overflow-wrap: anywhere;
}
${scope} .tw-body { padding: 16px 24px; overflow-y: auto; display: flex; flex-direction: column; gap: 16px; }
${scope} .tw-footer {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    padding: 12px 24px 16px;
    border-top: 1px solid rgba(var(--center-channel-color-rgb), 0.08);
}
${scope} .tw-icon-button {
    display: inline-flex; align-items: center; justify-content: center;
    width: 32px; height: 32px; margin: 0; padding: 0; border: none; border-radius: 4px;
    background: transparent; color: rgba(var(--center-channel-color-rgb), 0.64); cursor: pointer;
    font-family: inherit; font-size: 20px; font-weight: 400; line-height: 1;
}
${scope} .tw-icon-button:hover { background: rgba(var(--center-channel-color-rgb), 0.08); color: var(--center-channel-color); }
${scope} .tw-dialog :focus-visible {
    outline: 2px solid var(--button-bg);
    outline-offset: 2px;
}
${scope} .tw-label {
    display: block; max-width: none; margin: 0 0 6px; padding: 0;
    font-size: 14px; line-height: 20px; font-weight: 600;
}
${scope} .tw-input-row { display: flex; gap: 8px; }
${scope} .tw-input {
    flex: 1; min-width: 0; height: 40px; margin: 0; padding: 0 12px;
    border: 1px solid rgba(var(--center-channel-color-rgb), 0.16);
    border-radius: 4px;
    background: var(--center-channel-bg);
    color: var(--center-channel-color);
    box-shadow: none;
    font-family: inherit; font-size: 14px; font-weight: 400; line-height: 20px;
}
${scope} .tw-input::placeholder { color: rgba(var(--center-channel-color-rgb), 0.48); opacity: 1; }
${scope} .tw-input:hover { border-color: rgba(var(--center-channel-color-rgb), 0.48); }
${scope} .tw-input:focus { outline: none; border-color: var(--button-bg); box-shadow: inset 0 0 0 1px var(--button-bg); }
${scope} .tw-input[aria-invalid="true"] { border-color: var(--error-text); box-shadow: inset 0 0 0 1px var(--error-text); }
${scope} .tw-hint {
    margin: 6px 0 0; font-size: 12px; line-height: 16px; color: rgba(var(--center-channel-color-rgb), 0.64);
}
${scope} .tw-error { margin: 6px 0 0; color: var(--error-text); font-size: 12px; line-height: 16px; }
${scope} .tw-error:empty { margin: 0; } /* live regions stay in the accessibility tree, just take no room */
${scope} .tw-error p { margin: 0; }
${scope} .tw-button {
    height: 40px; margin: 0; padding: 0 16px; border-radius: 4px; border: none; cursor: pointer;
    font-family: inherit; font-size: 14px; font-weight: 600; line-height: 20px;
    background: var(--button-bg); color: var(--button-color);
}
${scope} .tw-button:hover { background: rgba(var(--button-bg-rgb), 0.88); }
${scope} .tw-button-secondary {
    height: 32px; margin: 0; padding: 0 12px; border-radius: 4px; cursor: pointer;
    font-family: inherit; font-size: 12px; font-weight: 600; line-height: 16px;
    border: 1px solid rgba(var(--button-bg-rgb), 0.32);
    background: transparent; color: var(--button-bg);
}
${scope} .tw-button-secondary:hover { background: rgba(var(--button-bg-rgb), 0.08); }
${scope} .tw-link {
    margin: 0; padding: 0; border: none; background: none; cursor: pointer;
    font-family: inherit; font-size: 14px; font-weight: 600; line-height: 20px;
    color: var(--link-color, var(--button-bg));
}
${scope} .tw-link:hover { text-decoration: underline; }
${scope} .tw-chips { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 8px; }
${scope} .tw-chip {
    display: inline-flex; align-items: center; gap: 2px; max-width: 100%;
    margin: 0; padding: 2px 2px 2px 10px; border-radius: 16px;
    font-size: 14px; line-height: 20px;
    background: rgba(var(--center-channel-color-rgb), 0.08);
    color: var(--center-channel-color);
}
${scope} .tw-chip-text { overflow-wrap: anywhere; }
${scope} .tw-chip-remove {
    display: inline-flex; align-items: center; justify-content: center;
    width: 24px; height: 24px; margin: 0; padding: 0; border: none; border-radius: 12px; cursor: pointer;
    background: transparent; color: rgba(var(--center-channel-color-rgb), 0.64);
    font-family: inherit; font-size: 16px; font-weight: 400; line-height: 1;
}
${scope} .tw-chip-remove:hover { background: rgba(var(--center-channel-color-rgb), 0.16); color: var(--center-channel-color); }
${scope} .tw-empty {
    padding: 16px; border-radius: 8px;
    background: rgba(var(--center-channel-color-rgb), 0.04);
    border: 1px dashed rgba(var(--center-channel-color-rgb), 0.16);
}
${scope} .tw-empty-title { margin: 0 0 4px; padding: 0; font-family: inherit; font-weight: 600; font-size: 14px; line-height: 20px; }
${scope} .tw-empty p { margin: 0; font-size: 14px; line-height: 20px; color: rgba(var(--center-channel-color-rgb), 0.72); }
${scope} .tw-count { margin: 0; font-size: 12px; line-height: 16px; color: rgba(var(--center-channel-color-rgb), 0.64); }
${scope} .tw-snooze { margin: 0; padding: 0; border: none; min-width: 0; }
${scope} .tw-snooze-legend {
    display: block; width: auto; margin: 0 0 4px; padding: 0; border: none;
    font-size: 14px; line-height: 20px; font-weight: 600; color: inherit;
}
${scope} .tw-snooze-status { margin: 0 0 8px; font-size: 14px; line-height: 20px; color: rgba(var(--center-channel-color-rgb), 0.72); }
${scope} .tw-snooze-buttons { display: flex; flex-wrap: wrap; gap: 8px; }
${scope} .tw-status { font-size: 12px; line-height: 16px; color: rgba(var(--center-channel-color-rgb), 0.64); }
${scope} .tw-channel { margin: 0; padding: 12px 0; border-top: 1px solid rgba(var(--center-channel-color-rgb), 0.08); }
${scope} .tw-channel:first-child { border-top: none; padding-top: 0; }
${scope} .tw-channel-name { margin: 0 0 8px; padding: 0; font-family: inherit; font-size: 14px; line-height: 20px; font-weight: 600; }
${scope} .tw-team { font-weight: 400; color: rgba(var(--center-channel-color-rgb), 0.64); margin-left: 6px; }
`;
