// Gives the plugin's App Bar entry an accessible name and keyboard access, which the registry cannot.
//
// Mattermost draws an App Bar entry as div#app-bar-icon-<plugin id> (the click handler) around the icon
// <img>, with the tooltip shown on hover only. In older web apps that is all: no role, no tab stop, an <img>
// without alt, so a screen reader announces nothing usable and the keyboard cannot reach it. Newer ones wrap
// the <img> in a role=button tab stop, but its name is the <img>'s alt, the plugin id ("trigger-alerts"), and
// no key activates it.
// So: label whichever element is the button, make the outer div one where there is none, and let Enter and
// Space click it. The web app re-creates the entry at will (product switches, resizing past the mobile
// breakpoint), hence the observer; it only looks the entry up by id, so it costs next to nothing per change.

const labelled = new WeakSet<Element>();

function onKeyDown(e: KeyboardEvent) {
    if (e.defaultPrevented || (e.key !== 'Enter' && e.key !== ' ')) {
        return;
    }
    e.preventDefault(); // Space would scroll the page
    (e.currentTarget as HTMLElement).click();
}

/**
 * Labels the entry now and whenever the web app draws it again; returns the function that stops watching.
 * The click bubbles to the entry's own handler, which calls the registered action. The label is asked for on
 * every redraw: a language switch redraws the entry, and the label follows.
 */
export function labelAppBarEntry(doc: Document, pluginId: string, labelOf: () => string): () => void {
    const id = `app-bar-icon-${pluginId}`;
    const apply = () => {
        const entry = doc.getElementById(id);
        if (!entry) {
            return;
        }
        const label = labelOf();
        const button = entry.querySelector<HTMLElement>('[role="button"]') ?? entry;
        if (button.getAttribute('aria-label') !== label) {
            button.setAttribute('aria-label', label);
        }
        if (button.getAttribute('role') !== 'button') {
            button.setAttribute('role', 'button');
        }
        if (!button.hasAttribute('tabindex')) {
            button.tabIndex = 0;
        }
        if (!labelled.has(button)) {
            labelled.add(button);
            button.addEventListener('keydown', onKeyDown);
        }
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(doc.body, {childList: true, subtree: true});
    return () => observer.disconnect();
}
