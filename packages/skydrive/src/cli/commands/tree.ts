import type { Command } from 'commander';
import type { ListEntry } from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { displayName, humanSize, isContainer, itemPath, itemType } from '../output/format.js';
import { itemJson } from '../output/json.js';
import { relativePath } from './ls.js';

export interface TreeOptions {
  folder: string;
}

interface Node {
  entry: ListEntry;
  children: Node[];
}

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('tree')
    .summary('show a folder and everything below it as a tree')
    .description(
      'Print a folder and all its subfolders as a tree, sorted by name, then a count of folders, files and bytes. With --json, print one line per item (NDJSON), as ls -r does.',
    )
    .argument('[folder]', 'folder to show', '/')
    .addHelpText('after', '\nExamples:\n  skydrive tree /Documents\n')
    .action((folder: string, _options: unknown, cmd: Command) =>
      invoke(cmd, (context) => run({ folder }, context)),
    );
  return addGlobalOptions(command);
}

export async function run(options: TreeOptions, context: CommandContext): Promise<void> {
  const drive = await context.drive();
  const subject = { path: options.folder };
  let base: string;
  try {
    const item = await drive.info(options.folder);
    if (!isContainer(item)) {
      throw new CliError(
        `${options.folder}: not a folder; show the file with: skydrive info ${options.folder}`,
      );
    }
    base = itemPath(item) ?? '/';
  } catch (error) {
    throw toCliError(error, subject);
  }

  const entries: ListEntry[] = [];
  try {
    for await (const entry of drive.list(options.folder, { recursive: true })) {
      if (context.json) {
        context.printJson(itemJson(entry, entry.path));
      } else {
        entries.push(entry);
      }
    }
  } catch (error) {
    throw toCliError(error, subject);
  }
  if (context.json) {
    return;
  }

  const roots = buildTree(base, entries);
  const lines = [base === '/' ? '/' : `${base}/`];
  drawLevel(roots, '', lines);
  const folders = entries.filter((entry) => itemType(entry) === 'folder').length;
  const files = entries.filter((entry) => itemType(entry) === 'file').length;
  const bytes = entries
    .filter((entry) => itemType(entry) === 'file')
    .reduce((sum, entry) => sum + (entry.size ?? 0), 0);
  lines.push('');
  lines.push(`${plural(folders, 'folder')}, ${plural(files, 'file')}, ${humanSize(bytes)}`);
  context.print(lines.join('\n'));
}

/** Nest entries by their paths relative to `base`; the listing order does not matter. */
function buildTree(base: string, entries: ListEntry[]): Node[] {
  const byPath = new Map<string, Node>();
  const roots: Node[] = [];
  const sorted = [...entries].sort((a, b) => a.path.length - b.path.length);
  for (const entry of sorted) {
    const relative = relativePath(base, entry).toLowerCase();
    const node: Node = { entry, children: [] };
    byPath.set(relative, node);
    const cut = relative.lastIndexOf('/');
    const parent = cut < 0 ? undefined : byPath.get(relative.slice(0, cut));
    (parent?.children ?? roots).push(node);
  }
  return roots;
}

function drawLevel(nodes: Node[], indent: string, lines: string[]): void {
  const sorted = [...nodes].sort((a, b) => compareNames(a.entry.name ?? '', b.entry.name ?? ''));
  sorted.forEach((node, index) => {
    const last = index === sorted.length - 1;
    lines.push(
      `${indent}${last ? '└── ' : '├── '}${displayName(node.entry.name ?? '', node.entry)}`,
    );
    drawLevel(node.children, `${indent}${last ? '    ' : '│   '}`, lines);
  });
}

/** Case-insensitive order, as OneDrive names are; ties broken by code point for a stable result. */
function compareNames(a: string, b: string): number {
  const lowerA = a.toLowerCase();
  const lowerB = b.toLowerCase();
  if (lowerA !== lowerB) {
    return lowerA < lowerB ? -1 : 1;
  }
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
