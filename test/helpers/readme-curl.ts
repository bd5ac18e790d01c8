import { routeKey, type Example } from './readme-examples.js';

// The seeds' sections ("## The seeds' own APIs") show their requests as curl
// commands in sh/bash blocks, the seed's own values as the seed writes them
// (national phone numbers, the seed's field names). Each curl that sends a
// body is read as a request: the block's assignments (`C=localhost:3000/...;
// J='content-type: application/json'`) are its variables, any other `$VAR`
// (an id or a token the reader fills in) stands for a UUID, a
// JSON body is the `-d` text when the command says `content-type:
// application/json` (written out or through a variable), and `-d k=v` or
// `-F k=v` pairs are a form.

/** What any `$VAR` the block does not set stands for: an id the reader has at hand. */
export const SOME_ID = '3f2b8c1e-5d4a-4e7b-9a60-7c1d2e3f4a5b';

/** A command line's words, as sh splits them: quotes joined, `$VAR` outside single quotes replaced; a `#` word ends it. */
export function shellWords(line: string, variables: ReadonlyMap<string, string>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const expand = (text: string) => text.replace(/\$\{?([A-Za-z_]\w*)\}?/g, (_, name: string) => variables.get(name) ?? SOME_ID);
  for (let i = 0; i < line.length; ) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === '#' && word === undefined) break;
    else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end + 1;
    } else if (c === '"') {
      const end = line.indexOf('"', i + 1);
      word = (word ?? '') + expand(line.slice(i + 1, end < 0 ? line.length : end));
      i = end < 0 ? line.length : end + 1;
    } else {
      const run = /^[^\s'"]+/.exec(line.slice(i))![0];
      word = (word ?? '') + expand(run);
      i += run.length;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The template of `templates` a concrete path fills in (fewest parameters first, so `login/` beats `{id}/`). */
function templateOf(path: string, templates: readonly string[]): string | undefined {
  const ordered = [...templates].sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  return ordered.find((template) => new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]*\\?\}/g, '[^/]+')}$`).test(path));
}

/** Every curl with a body in the seeds' section, as an example of the operation its path fills in. */
export function curlExamples(readme: string, templates: readonly string[]): Example[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => line.startsWith("## The seeds' own APIs"));
  if (start < 0) return [];
  const examples: Example[] = [];
  let inShell = false;
  let variables = new Map<string, string>();
  for (let index = start + 1; index < lines.length && !/^## /.test(lines[index]!); index++) {
    const line = lines[index]!;
    if (/^```/.test(line)) {
      inShell = !inShell && /^```(sh|bash|shell)\s*$/.test(line);
      variables = new Map();
      continue;
    }
    if (!inShell) continue;
    const lineNumber = index + 1;
    let command = line;
    while (command.endsWith('\\') && index + 1 < lines.length) command = command.slice(0, -1) + ' ' + lines[++index]!;
    if (!/^\s*curl\s/.test(command)) {
      // `C=localhost:3000/...; J='content-type: application/json'`: each is a variable of the block.
      for (const statement of command.split(';')) {
        const [assignment] = shellWords(statement, variables);
        const [, name, value] = /^([A-Za-z_]\w*)=(.*)$/s.exec(assignment ?? '') ?? [];
        if (name !== undefined) variables.set(name, value!);
      }
      continue;
    }
    const words = shellWords(command, variables);
    if (words[0] !== 'curl') continue;
    let method: string | undefined;
    let url: string | undefined;
    let json = false;
    const data: string[] = [];
    const form: string[] = [];
    for (let i = 1; i < words.length; i++) {
      const option = words[i]!;
      if (option === '-X') method = words[++i];
      else if (option === '-H') json ||= /^content-type:\s*application\/json/i.test(words[++i] ?? '');
      else if (option === '-d' || option === '--data') data.push(words[++i] ?? '');
      else if (option === '-F') form.push(words[++i] ?? '');
      else if (!option.startsWith('-')) url ??= option;
    }
    // A GET with a body is a seed's quirk (001 sends client_id so), not a body the document describes.
    if (!url || (data.length === 0 && form.length === 0) || method === 'GET') continue;
    const path = url.replace(/^(https?:\/\/)?[^/]*/, '').replace(/\?.*$/, '');
    const template = templateOf(path, templates);
    const body = json
      ? data.join('&')
      : JSON.stringify(Object.fromEntries((form.length > 0 ? form : data.flatMap((pairs) => pairs.split('&'))).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])));
    const key = routeKey(method ?? 'POST', template ?? path);
    examples.push({ at: `README.md:${lineNumber}`, routes: [key], anyOf: false, json: body });
  }
  return examples;
}
