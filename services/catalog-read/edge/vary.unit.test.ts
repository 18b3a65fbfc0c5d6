import t from 'tap';
import { withVary } from './vary.js';

t.test('Given no Vary yet, when the header is added, then it is the only name', async (t) => {
  t.equal(withVary(undefined, 'X-Aisle-Min-Version'), 'X-Aisle-Min-Version');
  t.equal(withVary('', 'X-Aisle-Min-Version'), 'X-Aisle-Min-Version');
});

t.test('Given other names, when the header is added, then it joins them', async (t) => {
  t.equal(
    withVary('Accept-Encoding', 'X-Aisle-Min-Version'),
    'Accept-Encoding, X-Aisle-Min-Version',
  );
  t.equal(
    withVary(['Origin', 'Accept-Encoding'], 'X-Aisle-Min-Version'),
    'Origin, Accept-Encoding, X-Aisle-Min-Version',
  );
});

t.test(
  'Given the name in any case, or *, when it is added again, then nothing doubles',
  async (t) => {
    t.equal(
      withVary('origin,x-aisle-min-version', 'X-Aisle-Min-Version'),
      'origin, x-aisle-min-version',
    );
    t.equal(withVary('*', 'X-Aisle-Min-Version'), '*');
  },
);
