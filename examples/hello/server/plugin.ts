// The plugin: each hook is an optional method; the runtime tells the server which ones exist.
import type {Post} from '@mattermost/types/posts';
import {
    AppError,
    MattermostPlugin,
    type CommandArgs,
    type CommandResponse,
    type MessageWillBePostedResult,
    type PluginContext,
} from 'mattermost-plugin-node';

import {incrementCounter, readCounter} from './counter.js';
import {maskWord} from './mask.js';
import {parseSettings, type Settings} from './settings.js';

const GREETINGS_KEY = 'greetings';
const MAX_NAME_LENGTH = 64;

export class HelloPlugin extends MattermostPlugin {
    private settings: Settings = parseSettings({});

    // Called at activation (before onActivate) and after every save in the System Console.
    override async onConfigurationChange(): Promise<void> {
        this.settings = parseSettings(await this.api.loadPluginConfiguration());
    }

    override async onActivate(): Promise<void> {
        // Plugin commands are registered anew by every process at every activation; the server routes
        // "/hello ..." to executeCommand.
        await this.api.registerCommand({
            trigger: 'hello',
            auto_complete: true,
            auto_complete_hint: '[name] | count',
            auto_complete_desc: 'Say hello, or show how many greetings were said',
            display_name: 'Hello',
        });
    }

    override async executeCommand(_c: PluginContext, args: CommandArgs): Promise<CommandResponse> {
        const rest = args.command.trim().replace(/^\/hello\b\s*/, '');
        if (rest === 'count') {
            const n = await readCounter(this.api, GREETINGS_KEY);
            return {response_type: 'ephemeral', text: `${n} ${n === 1 ? 'greeting' : 'greetings'} so far.`};
        }
        if ([...rest].length > MAX_NAME_LENGTH) {
            // Thrown errors reach the caller: the server answers commands/execute with this status and,
            // because the server has no translation for our id, the message as written.
            throw new AppError({
                id: 'plugin.hello.name_too_long',
                message: `That name is longer than ${MAX_NAME_LENGTH} characters.`,
                statusCode: 400,
                where: 'HelloPlugin.executeCommand',
                skipTranslation: true,
            });
        }
        const name = rest || `@${(await this.api.getUser(args.user_id))?.username ?? args.user_id}`;
        const n = await incrementCounter(this.api, GREETINGS_KEY);
        return {response_type: 'ephemeral', text: `${this.settings.greeting}, ${name}! (greeting #${n})`};
    }

    override messageWillBePosted(_c: PluginContext, post: Post): MessageWillBePostedResult {
        const masked = maskWord(post.message, this.settings.maskedWord);
        // Nothing: the post is saved as it is. {rejectReason} would refuse it instead.
        return masked === undefined ? undefined : {post: {...post, message: masked}};
    }
}
