export interface HostReactLine {
    major: 17 | 18 | 19;
    /** the npm package (or alias) of this line's react and react-dom */
    react: string;
    reactDom: string;
    /** window.ReactDOM carries react-dom/client's createRoot */
    client: boolean;
    /** window.ReactJSXRuntime and window.ReactJSXDevRuntime are set */
    jsxRuntime: boolean;
    /** the Mattermost releases that ship this React */
    mattermost: string;
}

export const HOST_REACTS: readonly HostReactLine[];
export function hostReact(major: number): HostReactLine;
export function hostReactScript(major: number, options?: {dev?: boolean}): Promise<string>;
