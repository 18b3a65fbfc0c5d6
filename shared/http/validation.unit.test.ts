import t from 'tap';
import { textProblem, validatorCompiler } from './validation.js';

const anyObject = { type: 'object' };

/** Validates `data` as a request part with a schema that accepts any object. */
function validate(data: unknown, httpPart = 'body'): unknown {
  const validator = validatorCompiler()({ schema: anyObject, httpPart, method: 'POST', url: '/' });
  return validator(data);
}

const problemAt = (result: unknown) =>
  (result as { error?: { validation: { instancePath: string; message: string }[] } }).error
    ?.validation[0];

t.test('Well-formed text passes, surrogate pairs included', async (t) => {
  t.equal(textProblem('plain text'), undefined);
  t.equal(textProblem('emoji 😀 and 𝄞'), undefined);
  t.same(validate({ name: 'shoe 👟', tags: ['a', { deep: 'ok' }], n: 3, none: null }), {
    value: { name: 'shoe 👟', tags: ['a', { deep: 'ok' }], n: 3, none: null },
  });
});

t.test('NUL and lone surrogates are found in values and keys, with their path', async (t) => {
  t.match(textProblem('a\u0000b'), /NUL/);
  t.match(textProblem('\ud800'), /lone surrogate/);
  t.match(textProblem('x\udc00'), /lone surrogate/);
  t.match(textProblem('\ud83d\ude00\ud83d'), /lone surrogate/, 'a pair, then a lone high half');
  t.same(problemAt(validate({ name: 'a\u0000' })), {
    instancePath: '/name',
    message: 'must not contain NUL characters',
  });
  t.same(problemAt(validate({ tags: ['ok', { deep: '\udfff' }] })), {
    instancePath: '/tags/1/deep',
    message: 'must be well-formed Unicode (a lone surrogate is not)',
  });
  t.same(problemAt(validate({ ['k\u0000']: 1 }, 'querystring')), {
    instancePath: '/k\u0000',
    message: 'must not contain NUL characters',
  });
});
