import t from 'tap';
import { splitLines, type Line } from './lines.js';

async function split(chunks: (string | Uint8Array)[], max = 1024): Promise<Line[]> {
  async function* source() {
    for (const chunk of chunks) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  }
  const lines: Line[] = [];
  for await (const line of splitLines(source(), max)) lines.push(line);
  return lines;
}

const texts = (lines: Line[]) => lines.map((l) => (l.kind === 'text' ? l.text : l.kind));

t.test('Lines are numbered from 1 and split across chunk boundaries', async (t) => {
  const lines = await split(['{"a":', '1}\n{"b"', ':2}\n', '\n{"c":3}\n']);
  t.same(texts(lines), ['{"a":1}', '{"b":2}', '', '{"c":3}']);
  t.same(
    lines.map((l) => l.number),
    [1, 2, 3, 4],
  );
  t.same(
    lines.map((l) => l.end),
    [8, 16, 17, 25],
    'each end is the byte offset just past the newline',
  );
});

t.test('A last line without a newline counts; a trailing newline adds no line', async (t) => {
  t.same(texts(await split(['a\nb'])), ['a', 'b']);
  t.same(texts(await split(['a\nb\n'])), ['a', 'b']);
  t.same(texts(await split([])), []);
  t.same(texts(await split(['', ''])), []);
});

t.test('CRLF line ends are accepted; a BOM is dropped only at the very start', async (t) => {
  t.same(texts(await split(['\ufeffa\r\nb\r', '\n\ufeffc'])), ['a', 'b', '\ufeffc']);
});

t.test('Multi-byte characters split between chunks decode whole', async (t) => {
  const bytes = Buffer.from('{"name":"Crème brûlée – 東京"}\n');
  const chunks = [...bytes].map((b) => Uint8Array.of(b));
  t.same(texts(await split(chunks)), ['{"name":"Crème brûlée – 東京"}']);
});

t.test('Invalid UTF-8 makes that line not_utf8, the next ones still read', async (t) => {
  const lines = await split([Buffer.from([0x61, 0xff, 0x62, 0x0a]), 'ok\n']);
  t.same(texts(lines), ['not_utf8', 'ok']);
});

t.test('A line over the limit is reported, never buffered, and the stream goes on', async (t) => {
  const lines = await split(
    ['short\n', 'x'.repeat(6), 'x'.repeat(6), 'x\nafter\n', 'y'.repeat(20)],
    10,
  );
  t.same(texts(lines), ['short', 'too_long', 'after', 'too_long']);
  t.same(
    lines.map((l) => l.number),
    [1, 2, 3, 4],
  );
  t.equal(lines.at(-1)?.end, 6 + 13 + 1 + 6 + 20);
  t.same(
    texts(await split(['x'.repeat(10) + '\n'], 10)),
    ['x'.repeat(10)],
    'exactly the limit fits',
  );
  t.same(texts(await split(['x'.repeat(11) + '\nok'], 10)), ['too_long', 'ok']);
});

t.test('A 50 MB line without a newline is skipped as too long', async (t) => {
  async function* huge() {
    for (let i = 0; i < 50; i += 1) yield Buffer.alloc(1024 * 1024, 0x78);
    yield Buffer.from('\n{"ok":true}\n');
  }
  const lines: Line[] = [];
  for await (const line of splitLines(huge(), 1024 * 1024)) lines.push(line);
  t.same(texts(lines), ['too_long', '{"ok":true}']);
  t.same(
    lines.map((l) => l.end),
    [50 * 1024 * 1024 + 1, 50 * 1024 * 1024 + 13],
  );
});
