// The panel's CSS. Colours come only from the CSS variables the Mattermost webapp sets from the user's theme,
// so the panel follows light, dark and custom themes.
export const css = `
.tw-backdrop {
    position: fixed;
    inset: 0;
    z-index: 1100;
    display: flex;
    align-items: flex-start;
    justify-content: center;
    padding: 10vh 16px 16px;
    background: rgba(var(--sidebar-bg-rgb, var(--center-channel-color-rgb)), 0.64);
    overflow-y: auto;
}
.tw-dialog {
    box-sizing: border-box;
    width: min(560px, 100%);
    max-height: 80vh;
    display: flex;
    flex-direction: column;
    background: var(--center-channel-bg);
    color: var(--center-channel-color);
    border: 1px solid rgba(var(--center-channel-color-rgb), 0.16);
    border-radius: 12px;
    box-shadow: 0 20px 32px rgba(var(--center-channel-color-rgb), 0.12);
    font-family: inherit;
    font-size: 14px;
    line-height: 20px;
    outline: none;
}
.tw-dialog *, .tw-dialog *::before, .tw-dialog *::after { box-sizing: border-box; }
.tw-header {
    display: flex;
    align-items: flex-start;
    gap: 12px;
    padding: 20px 24px 12px;
    border-bottom: 1px solid rgba(var(--center-channel-color-rgb), 0.08);
}
.tw-header-text { flex: 1; min-width: 0; }
.tw-title { margin: 0; font-size: 20px; line-height: 28px; font-weight: 600; color: var(--center-channel-color); }
.tw-subtitle { margin: 2px 0 0; color: rgba(var(--center-channel-color-rgb), 0.64); overflow-wrap: anywhere; }
.tw-body { padding: 16px 24px; overflow-y: auto; display: flex; flex-direction: column; gap: 16px; }
.tw-footer {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    padding: 12px 24px 16px;
    border-top: 1px solid rgba(var(--center-channel-color-rgb), 0.08);
}
.tw-icon-button {
    display: inline-flex; align-items: center; justify-content: center;
    width: 32px; height: 32px; padding: 0; border: none; border-radius: 4px;
    background: transparent; color: rgba(var(--center-channel-color-rgb), 0.64); cursor: pointer;
    font-size: 20px; line-height: 1;
}
.tw-icon-button:hover { background: rgba(var(--center-channel-color-rgb), 0.08); color: var(--center-channel-color); }
.tw-dialog :focus-visible {
    outline: 2px solid var(--button-bg);
    outline-offset: 2px;
}
.tw-label { display: block; font-weight: 600; margin-bottom: 6px; }
.tw-input-row { display: flex; gap: 8px; }
.tw-input {
    flex: 1; min-width: 0; height: 40px; padding: 0 12px;
    border: 1px solid rgba(var(--center-channel-color-rgb), 0.16);
    border-radius: 4px;
    background: var(--center-channel-bg);
    color: var(--center-channel-color);
    font: inherit;
}
.tw-input::placeholder { color: rgba(var(--center-channel-color-rgb), 0.48); }
.tw-input:hover { border-color: rgba(var(--center-channel-color-rgb), 0.48); }
.tw-input:focus { outline: none; border-color: var(--button-bg); box-shadow: inset 0 0 0 1px var(--button-bg); }
.tw-input[aria-invalid="true"] { border-color: var(--error-text); box-shadow: inset 0 0 0 1px var(--error-text); }
.tw-hint { margin: 6px 0 0; font-size: 12px; line-height: 16px; color: rgba(var(--center-channel-color-rgb), 0.64); }
.tw-error { margin: 6px 0 0; color: var(--error-text); font-size: 12px; line-height: 16px; }
.tw-error:empty { margin: 0; } /* live regions stay in the accessibility tree, just take no room */
.tw-error p { margin: 0; }
.tw-button {
    height: 40px; padding: 0 16px; border-radius: 4px; border: none; cursor: pointer;
    font: inherit; font-weight: 600;
    background: var(--button-bg); color: var(--button-color);
}
.tw-button:hover { background: rgba(var(--button-bg-rgb), 0.88); }
.tw-button-secondary {
    height: 32px; padding: 0 12px; border-radius: 4px; cursor: pointer; font: inherit; font-size: 12px; font-weight: 600;
    border: 1px solid rgba(var(--button-bg-rgb), 0.32);
    background: transparent; color: var(--button-bg);
}
.tw-button-secondary:hover { background: rgba(var(--button-bg-rgb), 0.08); }
.tw-link {
    padding: 0; border: none; background: none; cursor: pointer; font: inherit; font-weight: 600;
    color: var(--link-color, var(--button-bg));
}
.tw-link:hover { text-decoration: underline; }
.tw-chips { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 8px; }
.tw-chip {
    display: inline-flex; align-items: center; gap: 2px; max-width: 100%;
    padding: 2px 2px 2px 10px; border-radius: 16px;
    background: rgba(var(--center-channel-color-rgb), 0.08);
    color: var(--center-channel-color);
}
.tw-chip-text { overflow-wrap: anywhere; }
.tw-chip-remove {
    display: inline-flex; align-items: center; justify-content: center;
    width: 24px; height: 24px; padding: 0; border: none; border-radius: 12px; cursor: pointer;
    background: transparent; color: rgba(var(--center-channel-color-rgb), 0.64); font-size: 16px; line-height: 1;
}
.tw-chip-remove:hover { background: rgba(var(--center-channel-color-rgb), 0.16); color: var(--center-channel-color); }
.tw-empty {
    padding: 16px; border-radius: 8px;
    background: rgba(var(--center-channel-color-rgb), 0.04);
    border: 1px dashed rgba(var(--center-channel-color-rgb), 0.16);
}
.tw-empty-title { margin: 0 0 4px; font-weight: 600; font-size: 14px; }
.tw-empty p { margin: 0; color: rgba(var(--center-channel-color-rgb), 0.72); }
.tw-count { margin: 0; font-size: 12px; color: rgba(var(--center-channel-color-rgb), 0.64); }
.tw-snooze { margin: 0; padding: 0; border: none; min-width: 0; }
.tw-snooze legend { padding: 0; font-weight: 600; margin-bottom: 4px; }
.tw-snooze-status { margin: 0 0 8px; color: rgba(var(--center-channel-color-rgb), 0.72); }
.tw-snooze-buttons { display: flex; flex-wrap: wrap; gap: 8px; }
.tw-status { font-size: 12px; color: rgba(var(--center-channel-color-rgb), 0.64); }
.tw-channel { padding: 12px 0; border-top: 1px solid rgba(var(--center-channel-color-rgb), 0.08); }
.tw-channel:first-child { border-top: none; padding-top: 0; }
.tw-channel-name { margin: 0 0 8px; font-size: 14px; font-weight: 600; }
.tw-team { font-weight: 400; color: rgba(var(--center-channel-color-rgb), 0.64); margin-left: 6px; }
.tw-header-icon { display: inline-flex; vertical-align: middle; }
`;
