/**
 * The demo catalog of `aisle seed`: a fixed three-level category tree with the words that
 * describe its products, and pure generators that turn (seed, index) into a product create body.
 * Everything here is deterministic and free of I/O, so benchmarks and tests rebuild exactly the
 * products a seed run sent: product `i` of seed `s` is the same object whoever asks, in any order.
 */
import { createHash } from 'node:crypto';
import type { Money } from '../../events/catalog-events.js';
import type { ProductFields } from '../products/decide.js';

// ---------------------------------------------------------------------------------------------
// Randomness: a tiny seeded PRNG, and ids derived from names
// ---------------------------------------------------------------------------------------------

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  /** Standard normal (mean 0, deviation 1). */
  normal(): number;
  /** `count` distinct items in random order. */
  sample<T>(items: readonly T[], count: number): T[];
}

/** Mixes two 32-bit integers into a well-spread 32-bit seed (murmur3's finalizer). */
export function mixSeed(a: number, b: number): number {
  let h = (a ^ Math.imul(b >>> 0, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: 32 bits of state, fast, and good enough for demo data. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[int(0, items.length - 1)] as T;
  };
  return {
    next,
    int,
    pick,
    chance: (probability) => next() < probability,
    normal: () => {
      // Box-Muller; 1 - next() is in (0, 1], so the logarithm is finite.
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    sample: <T>(items: readonly T[], count: number): T[] => {
      const pool = [...items];
      for (let i = pool.length - 1; i > 0; i--) {
        const j = int(0, i);
        [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
      }
      return pool.slice(0, Math.max(0, Math.min(count, pool.length)));
    },
  };
}

/** The namespace of every id the seed derives (itself a v5 UUID of "aisle-seed" in the URL namespace). */
export const SEED_NAMESPACE = '3d8f7477-b7f2-5998-9072-ad22843f3b60';

/** An RFC 9562 version 5 UUID: SHA-1 of namespace and name, so the same name gives the same id. */
export function uuidV5(name: string, namespace: string = SEED_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------
// The taxonomy and its vocabulary
// ---------------------------------------------------------------------------------------------

/** Ordered scales; a product's `size` attribute is a contiguous run of one of them. */
const sizeScales = {
  clothing: ['XS', 'S', 'M', 'L', 'XL', 'XXL'],
  shoes: ['36', '37', '38', '39', '40', '41', '42', '43', '44', '45', '46'],
  kids: ['2Y', '4Y', '6Y', '8Y', '10Y', '12Y', '14Y'],
  oneSize: ['One size'],
  smallMediumLarge: ['S', 'M', 'L'],
  diameter: ['16 cm', '20 cm', '24 cm', '28 cm', '32 cm'],
  volume: ['250 ml', '350 ml', '500 ml', '750 ml', '1 l'],
  bed: ['Single', 'Double', 'Queen', 'King'],
  length: ['10 m', '15 m', '25 m', '50 m'],
  weight: ['2 kg', '4 kg', '6 kg', '8 kg', '10 kg', '12 kg'],
  capacity: ['1 person', '2 person', '3 person', '4 person', '6 person'],
  screen: ['6.1 inch', '6.3 inch', '6.7 inch', '6.9 inch'],
  ages: ['0-2 years', '3-5 years', '6-8 years', '9-12 years', '12+ years'],
  pieces: ['100 pieces', '300 pieces', '500 pieces', '1000 pieces', '2000 pieces'],
} as const satisfies Record<string, readonly string[]>;

type SizeScale = keyof typeof sizeScales;

interface LeafSpec {
  readonly slug: string;
  readonly name: string;
  /** What one product of this category is called, singular, lower case. */
  readonly nouns: readonly string[];
  /** Median price in EUR cents; prices spread log-normally around it. */
  readonly price: number;
  /** Shipping weight range in grams. */
  readonly weight: readonly [number, number];
  readonly sizes: SizeScale;
  /** Overrides the department's materials. */
  readonly materials?: readonly string[];
  /** Sentences only this category's products use. */
  readonly details: readonly string[];
}

interface ChildSpec {
  readonly slug: string;
  readonly name: string;
  readonly leaves: readonly LeafSpec[];
}

interface DepartmentSpec {
  readonly slug: string;
  readonly name: string;
  readonly brands: readonly string[];
  readonly materials: readonly string[];
  readonly adjectives: readonly string[];
  readonly colors: readonly string[];
  /** Whole sentences; `{noun}` and `{material}` are filled in. */
  readonly features: readonly string[];
  /** Completes "Made for …" / "A good pick for …". */
  readonly uses: readonly string[];
  readonly care: readonly string[];
  readonly children: readonly ChildSpec[];
}

const leaf = (
  slug: string,
  name: string,
  nouns: readonly string[],
  price: number,
  weight: readonly [number, number],
  sizes: SizeScale,
  details: readonly string[],
  materials?: readonly string[],
): LeafSpec => ({
  slug,
  name,
  nouns,
  price,
  weight,
  sizes,
  details,
  ...(materials === undefined ? {} : { materials }),
});

const departments: readonly DepartmentSpec[] = [
  {
    slug: 'apparel',
    name: 'Apparel',
    brands: [
      'Northpeak',
      'Fjordline',
      'Linden & Co',
      'Urban Thread',
      'Solace',
      'Kestrel',
      'Mistral',
    ],
    materials: [
      'organic cotton',
      'merino wool',
      'recycled polyester',
      'linen',
      'bamboo jersey',
      'nylon',
    ],
    adjectives: [
      'classic',
      'relaxed',
      'slim',
      'lightweight',
      'essential',
      'everyday',
      'tailored',
      'breathable',
    ],
    colors: [
      'black',
      'white',
      'navy',
      'grey',
      'olive',
      'burgundy',
      'sand',
      'sky blue',
      'forest green',
    ],
    features: [
      'Flatlock seams sit comfortably against the skin.',
      'The {material} keeps its shape wash after wash.',
      'A regular fit leaves room to move without looking baggy.',
      'Reinforced stitching at the stress points makes the {noun} last.',
      'The fabric wicks moisture and dries quickly.',
      'Every {noun} is cut and sewn in small batches in Portugal.',
      'The dyes are free of harmful substances and certified to OEKO-TEX standards.',
      'Soft on the inside and smooth on the outside, it layers easily.',
    ],
    uses: [
      'everyday wear',
      'the office',
      'weekend trips',
      'travel',
      'layering in cold weather',
      'casual evenings',
    ],
    care: [
      'Machine wash at 30 degrees and dry flat.',
      'Wash inside out with similar colours.',
      'Do not tumble dry; iron on a low setting.',
    ],
    children: [
      {
        slug: 'men',
        name: 'Men',
        leaves: [
          leaf(
            't-shirts',
            'T-shirts',
            ['t-shirt', 'crew neck tee', 'henley'],
            2499,
            [140, 260],
            'clothing',
            [
              'A ribbed collar holds its shape and never sags.',
              'The longer back hem stays tucked when you reach up.',
            ],
          ),
          leaf(
            'jackets',
            'Jackets',
            ['jacket', 'rain jacket', 'softshell jacket'],
            12999,
            [350, 900],
            'clothing',
            [
              'Taped seams and a storm flap keep out wind and rain.',
              'An adjustable hood fits over a cap or helmet.',
            ],
            ['recycled nylon', 'waxed cotton', 'softshell', 'ripstop polyester'],
          ),
          leaf(
            'running-shoes',
            'Running shoes',
            ['running shoe', 'trail shoe', 'racing flat'],
            11999,
            [220, 340],
            'shoes',
            [
              'A cushioned midsole softens every stride on long runs.',
              'The grippy rubber outsole holds on wet roads and loose trails.',
            ],
            ['engineered mesh', 'knit', 'recycled mesh'],
          ),
        ],
      },
      {
        slug: 'women',
        name: 'Women',
        leaves: [
          leaf(
            'dresses',
            'Dresses',
            ['dress', 'wrap dress', 'shirt dress'],
            6999,
            [200, 450],
            'clothing',
            [
              'The waist ties adjust the fit from snug to relaxed.',
              'Side pockets are deep enough for a phone.',
            ],
            ['linen', 'viscose', 'organic cotton', 'silk blend'],
          ),
          leaf(
            'leggings',
            'Leggings',
            ['leggings', 'running tights', 'yoga pants'],
            4999,
            [150, 280],
            'clothing',
            [
              'A high waistband stays put through squats and sprints.',
              'The four-way stretch fabric is squat-proof and opaque.',
            ],
            ['stretch nylon', 'recycled polyester', 'bamboo jersey'],
          ),
          leaf(
            'sneakers',
            'Sneakers',
            ['sneaker', 'low-top sneaker', 'slip-on'],
            8999,
            [250, 420],
            'shoes',
            [
              'A padded collar and a removable insole make them comfortable all day.',
              'The vulcanised sole is stitched on for extra durability.',
            ],
            ['canvas', 'leather', 'suede', 'recycled mesh'],
          ),
        ],
      },
      {
        slug: 'kids',
        name: 'Kids',
        leaves: [
          leaf(
            'hoodies',
            'Hoodies',
            ['hoodie', 'zip hoodie', 'sweatshirt'],
            3499,
            [250, 450],
            'kids',
            [
              'A kangaroo pocket keeps small hands warm.',
              'The hood has no drawcords, as safety rules for children require.',
            ],
            ['brushed cotton', 'organic cotton', 'fleece'],
          ),
          leaf(
            'pajamas',
            'Pajamas',
            ['pajama set', 'sleepsuit', 'nightgown'],
            2999,
            [150, 300],
            'kids',
            [
              'Snug cuffs keep the sleeves in place all night.',
              'A playful print glows softly in the dark.',
            ],
            ['organic cotton', 'bamboo jersey', 'flannel'],
          ),
          leaf(
            'sandals',
            'Sandals',
            ['sandal', 'sport sandal', 'clog'],
            2999,
            [150, 300],
            'kids',
            [
              'Hook and loop straps let children put them on without help.',
              'A closed toe cap protects against bumps on the playground.',
            ],
            ['rubber', 'EVA foam', 'leather'],
          ),
        ],
      },
      {
        slug: 'accessories',
        name: 'Accessories',
        leaves: [
          leaf(
            'hats',
            'Hats',
            ['beanie', 'cap', 'sun hat'],
            2499,
            [60, 150],
            'smallMediumLarge',
            [
              'A wide brim shades the face and neck from the sun.',
              'The fold-up cuff keeps the ears warm on cold mornings.',
            ],
            ['merino wool', 'cotton twill', 'straw', 'recycled polyester'],
          ),
          leaf(
            'scarves',
            'Scarves',
            ['scarf', 'snood', 'shawl'],
            3999,
            [100, 300],
            'oneSize',
            ['Long enough to wrap twice around the neck.', 'Fringed ends add a finishing touch.'],
            ['lambswool', 'cashmere', 'merino wool', 'linen'],
          ),
          leaf(
            'belts',
            'Belts',
            ['belt', 'braided belt', 'dress belt'],
            3499,
            [100, 250],
            'smallMediumLarge',
            [
              'A solid brass buckle will not rust or flake.',
              'Five holes make the length easy to adjust.',
            ],
            ['full-grain leather', 'vegan leather', 'canvas', 'braided elastic'],
          ),
        ],
      },
    ],
  },
  {
    slug: 'home-kitchen',
    name: 'Home & Kitchen',
    brands: [
      'Hearthwell',
      'Copperline',
      'Nordhaus',
      'Ember & Oak',
      'Casa Brava',
      'Stillwater Home',
      'Maison Lune',
    ],
    materials: [
      'stainless steel',
      'cast iron',
      'stoneware',
      'porcelain',
      'bamboo',
      'oak',
      'borosilicate glass',
    ],
    adjectives: [
      'handcrafted',
      'modern',
      'rustic',
      'stackable',
      'heavy-duty',
      'minimalist',
      'timeless',
      'compact',
    ],
    colors: ['white', 'charcoal', 'sage', 'terracotta', 'natural', 'cream', 'ocean blue', 'black'],
    features: [
      'The {material} is safe for food and free of PFAS.',
      'A clean, simple design fits any kitchen or living room.',
      'Each {noun} is finished by hand, so small variations are part of its charm.',
      'It is dishwasher safe for easy cleaning.',
      'Sturdy construction means the {noun} will serve you for years.',
      'The pieces nest inside each other to save cupboard space.',
      'Designed in Copenhagen and made in a family-run workshop.',
    ],
    uses: [
      'daily cooking',
      'family dinners',
      'entertaining guests',
      'small apartments',
      'a cosy bedroom',
      'gifting',
    ],
    care: [
      'Wash by hand with warm soapy water and dry straight away.',
      'Dishwasher safe on a gentle cycle.',
      'Wipe clean with a damp cloth.',
    ],
    children: [
      {
        slug: 'cookware',
        name: 'Cookware',
        leaves: [
          leaf(
            'frying-pans',
            'Frying pans',
            ['frying pan', 'skillet', 'crepe pan'],
            5999,
            [900, 2800],
            'diameter',
            [
              'It heats evenly and works on induction, gas and electric hobs.',
              'A riveted handle stays cool on the stove.',
            ],
            ['cast iron', 'carbon steel', 'stainless steel', 'ceramic-coated aluminium'],
          ),
          leaf(
            'saucepans',
            'Saucepans',
            ['saucepan', 'milk pan', 'stockpot'],
            4999,
            [800, 2500],
            'diameter',
            [
              'A tight-fitting glass lid lets you watch sauces simmer.',
              'Measuring marks inside the pot save a jug.',
            ],
            ['stainless steel', 'copper', 'enamelled steel'],
          ),
          leaf(
            'dutch-ovens',
            'Dutch ovens',
            ['dutch oven', 'casserole', 'braiser'],
            14999,
            [3500, 6500],
            'diameter',
            [
              'Heavy walls hold the heat for slow braises and crusty bread.',
              'It goes from the hob to the oven to the table.',
            ],
            ['enamelled cast iron', 'cast iron'],
          ),
        ],
      },
      {
        slug: 'tableware',
        name: 'Tableware',
        leaves: [
          leaf(
            'plates',
            'Plates',
            ['dinner plate', 'side plate', 'pasta bowl'],
            2499,
            [400, 1200],
            'diameter',
            [
              'A reactive glaze gives every plate its own pattern.',
              'The raised rim keeps sauces on the plate.',
            ],
            ['stoneware', 'porcelain', 'earthenware'],
          ),
          leaf(
            'mugs',
            'Mugs',
            ['mug', 'espresso cup', 'travel mug'],
            1499,
            [250, 450],
            'volume',
            [
              'A generous handle fits two fingers comfortably.',
              'Double walls keep coffee hot and hands cool.',
            ],
            ['stoneware', 'porcelain', 'borosilicate glass', 'enamelled steel'],
          ),
          leaf(
            'drinking-glasses',
            'Drinking glasses',
            ['tumbler', 'wine glass', 'water carafe'],
            1999,
            [200, 900],
            'volume',
            [
              'The glass is mouth-blown and thin-rimmed.',
              'A weighted base makes it hard to tip over.',
            ],
            ['borosilicate glass', 'recycled glass', 'crystal glass'],
          ),
        ],
      },
      {
        slug: 'bedding',
        name: 'Bedding',
        leaves: [
          leaf(
            'duvet-covers',
            'Duvet covers',
            ['duvet cover', 'duvet set', 'bed linen set'],
            7999,
            [900, 1800],
            'bed',
            ['Hidden buttons keep the duvet in place.', 'The fabric gets softer with every wash.'],
            ['percale cotton', 'sateen cotton', 'linen', 'Tencel'],
          ),
          leaf(
            'pillows',
            'Pillows',
            ['pillow', 'cushion', 'bolster'],
            3999,
            [500, 1500],
            'smallMediumLarge',
            [
              'The filling can be adjusted for a firmer or softer feel.',
              'A zipped cover comes off for washing.',
            ],
            ['down', 'memory foam', 'buckwheat hulls', 'recycled fibre'],
          ),
          leaf(
            'throws',
            'Throws',
            ['throw', 'blanket', 'bedspread'],
            6999,
            [800, 2200],
            'bed',
            [
              'A chunky knit adds texture to a sofa or bed.',
              'Warm enough for winter evenings, light enough to carry around.',
            ],
            ['wool', 'cotton', 'cashmere blend', 'fleece'],
          ),
        ],
      },
      {
        slug: 'storage',
        name: 'Storage',
        leaves: [
          leaf(
            'baskets',
            'Baskets',
            ['basket', 'storage bin', 'laundry basket'],
            2999,
            [300, 1500],
            'smallMediumLarge',
            [
              'Woven handles make it easy to carry from room to room.',
              'A removable liner keeps small things from falling through.',
            ],
            ['seagrass', 'rattan', 'felt', 'cotton rope'],
          ),
          leaf(
            'jars',
            'Jars',
            ['storage jar', 'canister', 'spice jar'],
            1299,
            [200, 900],
            'volume',
            [
              'An airtight seal keeps coffee, flour and pasta fresh.',
              'Clear sides show at a glance when it is time to refill.',
            ],
            ['borosilicate glass', 'stoneware', 'stainless steel'],
          ),
          leaf(
            'shelves',
            'Shelves',
            ['wall shelf', 'shelving unit', 'floating shelf'],
            8999,
            [2500, 12000],
            'smallMediumLarge',
            [
              'Each shelf holds up to fifteen kilograms.',
              'Wall fixings and a drilling template are included.',
            ],
            ['oak', 'walnut', 'powder-coated steel', 'bamboo'],
          ),
        ],
      },
    ],
  },
  {
    slug: 'sports-outdoors',
    name: 'Sports & Outdoors',
    brands: [
      'Summitcraft',
      'Trailborne',
      'Apex Motion',
      'Bluewater',
      'Ridgeback',
      'Velora',
      'Granite Peak',
    ],
    materials: [
      'ripstop nylon',
      'aluminium',
      'recycled polyester',
      'EVA foam',
      'neoprene',
      'carbon fibre',
    ],
    adjectives: [
      'ultralight',
      'rugged',
      'packable',
      'pro',
      'all-weather',
      'performance',
      'adjustable',
      'compact',
    ],
    colors: ['orange', 'black', 'forest green', 'slate', 'electric blue', 'red', 'yellow', 'grey'],
    features: [
      'Tested in the Alps through a full season before it went on sale.',
      'The {noun} packs down small and weighs next to nothing.',
      'Every buckle and zip can be worked with gloves on.',
      'The {material} shrugs off abrasion, rain and UV light.',
      'Reflective details keep you visible at dusk.',
      'A two-year warranty covers materials and workmanship.',
      'Spare parts are available, so repairs are easy.',
    ],
    uses: [
      'weekend hikes',
      'multi-day treks',
      'early morning training',
      'commuting by bike',
      'the gym',
      'summer holidays by the lake',
    ],
    care: [
      'Rinse with fresh water after use and let it dry in the shade.',
      'Store clean and dry, away from direct sunlight.',
      'Wipe down with mild soap; do not use solvents.',
    ],
    children: [
      {
        slug: 'camping',
        name: 'Camping',
        leaves: [
          leaf(
            'tents',
            'Tents',
            ['tent', 'dome tent', 'tunnel tent'],
            24999,
            [1200, 5500],
            'capacity',
            [
              'It pitches in under five minutes with colour-coded poles.',
              'Two doors and two porches leave room for boots and packs.',
            ],
            ['ripstop nylon', 'polyester', 'silnylon'],
          ),
          leaf(
            'sleeping-bags',
            'Sleeping bags',
            ['sleeping bag', 'mummy bag', 'quilt'],
            15999,
            [700, 1900],
            'smallMediumLarge',
            [
              'Rated comfortable down to minus five degrees.',
              'A draught collar and a zip baffle keep the warmth in.',
            ],
            ['duck down', 'synthetic insulation', 'recycled polyester'],
          ),
          leaf(
            'headlamps',
            'Headlamps',
            ['headlamp', 'head torch', 'lantern'],
            3999,
            [60, 180],
            'oneSize',
            [
              'A red light mode keeps your night vision intact.',
              'The battery recharges over USB-C.',
            ],
            ['aluminium', 'polycarbonate'],
          ),
        ],
      },
      {
        slug: 'cycling',
        name: 'Cycling',
        leaves: [
          leaf(
            'helmets',
            'Helmets',
            ['helmet', 'road helmet', 'mountain bike helmet'],
            8999,
            [250, 450],
            'smallMediumLarge',
            [
              'A dial at the back adjusts the fit in seconds.',
              'Eighteen vents keep air moving on long climbs.',
            ],
            ['polycarbonate', 'EPS foam', 'carbon fibre'],
          ),
          leaf(
            'bike-lights',
            'Bike lights',
            ['bike light', 'rear light', 'front light'],
            2999,
            [50, 200],
            'oneSize',
            [
              'It is bright enough to see and be seen on unlit roads.',
              'A rubber strap fits any handlebar without tools.',
            ],
            ['aluminium', 'polycarbonate'],
          ),
          leaf(
            'saddles',
            'Saddles',
            ['saddle', 'gel saddle', 'racing saddle'],
            5999,
            [200, 450],
            'smallMediumLarge',
            [
              'A central cut-out relieves pressure on long rides.',
              'Steel rails fit every standard seat post clamp.',
            ],
            ['synthetic leather', 'carbon fibre', 'gel'],
          ),
        ],
      },
      {
        slug: 'fitness',
        name: 'Fitness',
        leaves: [
          leaf(
            'yoga-mats',
            'Yoga mats',
            ['yoga mat', 'exercise mat', 'travel mat'],
            3999,
            [800, 2500],
            'oneSize',
            [
              'The textured surface grips even during hot yoga.',
              'Alignment lines help you place hands and feet.',
            ],
            ['natural rubber', 'cork', 'TPE foam'],
          ),
          leaf(
            'dumbbells',
            'Dumbbells',
            ['dumbbell', 'kettlebell', 'weight plate'],
            4999,
            [2000, 12000],
            'weight',
            [
              'Knurled handles give a secure grip.',
              'Rubber coating protects floors and keeps noise down.',
            ],
            ['cast iron', 'rubber-coated steel', 'chrome steel'],
          ),
          leaf(
            'resistance-bands',
            'Resistance bands',
            ['resistance band', 'loop band', 'pull-up band'],
            1999,
            [100, 500],
            'smallMediumLarge',
            [
              'Five levels of resistance grow with your strength.',
              'A carry bag and an exercise guide are included.',
            ],
            ['natural latex', 'fabric', 'TPE'],
          ),
        ],
      },
      {
        slug: 'water-sports',
        name: 'Water sports',
        leaves: [
          leaf(
            'swim-goggles',
            'Swim goggles',
            ['swim goggles', 'open water goggles', 'swim mask'],
            1999,
            [40, 120],
            'oneSize',
            [
              'Anti-fog lenses stay clear for the whole session.',
              'Soft silicone gaskets seal without pressing.',
            ],
            ['silicone', 'polycarbonate'],
          ),
          leaf(
            'wetsuits',
            'Wetsuits',
            ['wetsuit', 'shorty wetsuit', 'swimrun suit'],
            19999,
            [1200, 2500],
            'clothing',
            [
              'Sealed seams keep you warm in water down to twelve degrees.',
              'A back zip with a long pull cord makes it easy to get out of.',
            ],
            ['neoprene', 'limestone neoprene'],
          ),
          leaf(
            'dry-bags',
            'Dry bags',
            ['dry bag', 'waterproof backpack', 'phone pouch'],
            2499,
            [100, 900],
            'volume',
            [
              'A roll-top closure keeps the contents dry even if it goes overboard.',
              'Welded seams are fully waterproof.',
            ],
            ['PVC tarpaulin', 'TPU-coated nylon'],
          ),
        ],
      },
    ],
  },
  {
    slug: 'electronics',
    name: 'Electronics',
    brands: [
      'Voltara',
      'Lumen Labs',
      'Soundforge',
      'Pixelwave',
      'Auralis',
      'Kinetik',
      'Brightcell',
    ],
    materials: ['aluminium', 'recycled plastic', 'polycarbonate', 'silicone', 'tempered glass'],
    adjectives: [
      'wireless',
      'smart',
      'portable',
      'slim',
      'fast',
      'premium',
      'ergonomic',
      'rechargeable',
    ],
    colors: ['black', 'white', 'space grey', 'silver', 'midnight blue', 'rose gold', 'graphite'],
    features: [
      'Bluetooth 5.3 pairs in seconds and stays connected.',
      'The battery lasts all week on a single charge.',
      'It charges over USB-C; the cable is in the box.',
      'Firmware updates arrive over the air through the companion app.',
      'The {material} housing is light but sturdy.',
      'Works with Android, iOS, Windows and macOS.',
      'A two-year warranty and a thirty-day return period are included.',
    ],
    uses: [
      'working from home',
      'the daily commute',
      'gaming',
      'video calls',
      'travel',
      'a smart home',
    ],
    care: [
      'Clean with a soft dry cloth.',
      'Keep away from water and extreme heat.',
      'Recycle it through an electronics take-back scheme at the end of its life.',
    ],
    children: [
      {
        slug: 'audio',
        name: 'Audio',
        leaves: [
          leaf(
            'headphones',
            'Headphones',
            ['headphones', 'noise-cancelling headphones', 'studio headphones'],
            14999,
            [200, 380],
            'oneSize',
            [
              'Active noise cancelling blocks out engine hum and office chatter.',
              'Memory foam ear cushions stay comfortable for hours.',
            ],
          ),
          leaf(
            'speakers',
            'Speakers',
            ['speaker', 'bluetooth speaker', 'soundbar'],
            9999,
            [300, 3500],
            'oneSize',
            [
              'Rich bass fills a room without distortion.',
              'It is splash-proof, so it can come to the beach.',
            ],
          ),
          leaf(
            'earbuds',
            'Earbuds',
            ['earbuds', 'sport earbuds', 'true wireless earbuds'],
            7999,
            [40, 80],
            'smallMediumLarge',
            [
              'Three sizes of ear tips give a secure fit.',
              'The charging case adds twenty hours of listening.',
            ],
          ),
        ],
      },
      {
        slug: 'computer-accessories',
        name: 'Computer accessories',
        leaves: [
          leaf(
            'keyboards',
            'Keyboards',
            ['keyboard', 'mechanical keyboard', 'compact keyboard'],
            8999,
            [450, 1200],
            'oneSize',
            [
              'Hot-swappable switches let you change the feel of every key.',
              'Backlit keys adjust to the light in the room.',
            ],
          ),
          leaf(
            'mice',
            'Mice',
            ['mouse', 'vertical mouse', 'trackball'],
            4999,
            [70, 180],
            'oneSize',
            [
              'An ergonomic shape supports the hand and wrist.',
              'The sensor tracks precisely on glass and wood.',
            ],
          ),
          leaf(
            'monitor-stands',
            'Monitor stands',
            ['monitor stand', 'monitor arm', 'laptop stand'],
            5999,
            [900, 4000],
            'oneSize',
            [
              'Raises the screen to eye level for a healthier posture.',
              'A gas spring moves the screen with one finger.',
            ],
            ['aluminium', 'steel', 'bamboo'],
          ),
        ],
      },
      {
        slug: 'phone-accessories',
        name: 'Phone accessories',
        leaves: [
          leaf(
            'phone-cases',
            'Phone cases',
            ['phone case', 'wallet case', 'rugged case'],
            2499,
            [30, 90],
            'screen',
            [
              'Raised edges protect the screen and camera when the phone lands face down.',
              'Built-in magnets work with wireless chargers.',
            ],
            ['silicone', 'leather', 'recycled plastic', 'polycarbonate'],
          ),
          leaf(
            'chargers',
            'Chargers',
            ['charger', 'wireless charger', 'car charger'],
            2999,
            [60, 250],
            'oneSize',
            [
              'Gallium nitride keeps the charger small and cool.',
              'Two ports charge a phone and a laptop at the same time.',
            ],
          ),
          leaf(
            'power-banks',
            'Power banks',
            ['power bank', 'battery pack', 'solar power bank'],
            3999,
            [150, 450],
            'oneSize',
            [
              'Enough capacity to charge a phone three times.',
              'A display shows exactly how much charge is left.',
            ],
          ),
        ],
      },
      {
        slug: 'smart-home',
        name: 'Smart home',
        leaves: [
          leaf(
            'smart-plugs',
            'Smart plugs',
            ['smart plug', 'smart power strip', 'energy monitor'],
            1999,
            [80, 400],
            'oneSize',
            [
              'Schedules and timers switch lamps and heaters on their own.',
              'It measures energy use, so you see what each device costs.',
            ],
          ),
          leaf(
            'smart-bulbs',
            'Smart bulbs',
            ['smart bulb', 'light strip', 'filament bulb'],
            2499,
            [50, 300],
            'oneSize',
            [
              'Sixteen million colours and every shade of white.',
              'Works with voice assistants and without a hub.',
            ],
          ),
          leaf(
            'thermostats',
            'Thermostats',
            ['thermostat', 'radiator valve', 'room sensor'],
            12999,
            [150, 400],
            'oneSize',
            [
              'It learns your routine and lowers the heating when you are out.',
              'Installation takes about thirty minutes with the included guide.',
            ],
          ),
        ],
      },
    ],
  },
  {
    slug: 'garden',
    name: 'Garden',
    brands: [
      'Greenhollow',
      'Fernbrook',
      'Rootstock',
      'Meadowlark',
      'Terra Verde',
      'Oakmere',
      'Wildbloom',
    ],
    materials: [
      'galvanised steel',
      'ash wood',
      'terracotta',
      'recycled plastic',
      'acacia wood',
      'powder-coated aluminium',
    ],
    adjectives: [
      'weatherproof',
      'heavy-duty',
      'ergonomic',
      'classic',
      'foldable',
      'rust-proof',
      'durable',
      'lightweight',
    ],
    colors: ['green', 'terracotta', 'anthracite', 'natural', 'sage', 'black', 'stone'],
    features: [
      'Built to stay outside all year, through frost and summer sun.',
      'The {material} is sourced from responsibly managed suppliers.',
      'A lifetime guarantee covers the {noun} against breaking in normal use.',
      'It hangs on a hook, so it does not clutter the shed.',
      'Professional gardeners helped shape every detail.',
      'Replacement parts are available for years after purchase.',
    ],
    uses: [
      'vegetable beds',
      'balcony gardens',
      'pruning roses and shrubs',
      'summer evenings on the patio',
      'allotments',
      'lawn care',
    ],
    care: [
      'Clean off soil after use and oil moving parts now and then.',
      'Store in a dry place over winter.',
      'Treat the wood with oil once a year to keep it looking fresh.',
    ],
    children: [
      {
        slug: 'tools',
        name: 'Tools',
        leaves: [
          leaf(
            'pruners',
            'Pruners',
            ['pruner', 'bypass secateurs', 'loppers'],
            3499,
            [200, 1200],
            'oneSize',
            [
              'Hardened steel blades cut cleanly through branches up to twenty millimetres.',
              'A safety catch locks the blades closed with one thumb.',
            ],
            ['hardened steel', 'carbon steel', 'aluminium'],
          ),
          leaf(
            'spades',
            'Spades',
            ['spade', 'border fork', 'trowel'],
            3999,
            [300, 2200],
            'oneSize',
            [
              'A tread on the blade spares your boots when digging.',
              'The handle is shaped to fit the hand.',
            ],
            ['stainless steel', 'ash wood', 'carbon steel'],
          ),
          leaf(
            'rakes',
            'Rakes',
            ['rake', 'leaf rake', 'soil rake'],
            2999,
            [600, 1800],
            'oneSize',
            [
              'Flexible tines gather leaves without damaging the lawn.',
              'A long handle saves bending.',
            ],
            ['galvanised steel', 'ash wood', 'recycled plastic'],
          ),
        ],
      },
      {
        slug: 'planters',
        name: 'Planters',
        leaves: [
          leaf(
            'plant-pots',
            'Plant pots',
            ['plant pot', 'hanging planter', 'self-watering pot'],
            1999,
            [300, 6000],
            'diameter',
            [
              'A drainage hole and a saucer protect roots from standing water.',
              'Frost-resistant clay can stay outside in winter.',
            ],
            ['terracotta', 'glazed ceramic', 'fibre clay', 'recycled plastic'],
          ),
          leaf(
            'raised-beds',
            'Raised beds',
            ['raised bed', 'planter box', 'herb bed'],
            12999,
            [8000, 30000],
            'smallMediumLarge',
            [
              'A raised height makes planting and weeding easy on the back.',
              'Slots together without screws in under an hour.',
            ],
            ['larch wood', 'galvanised steel', 'cedar wood'],
          ),
          leaf(
            'window-boxes',
            'Window boxes',
            ['window box', 'balcony planter', 'railing planter'],
            2499,
            [800, 3000],
            'smallMediumLarge',
            [
              'Brackets fit railings from four to twelve centimetres wide.',
              'A water reservoir keeps herbs alive through a hot weekend.',
            ],
            ['recycled plastic', 'zinc', 'terracotta'],
          ),
        ],
      },
      {
        slug: 'watering',
        name: 'Watering',
        leaves: [
          leaf(
            'garden-hoses',
            'Garden hoses',
            ['garden hose', 'hose reel', 'expandable hose'],
            3999,
            [1000, 5000],
            'length',
            [
              'Kink-free layers keep the water flowing.',
              'Brass fittings connect to every standard tap.',
            ],
            ['reinforced PVC', 'natural rubber', 'textile'],
          ),
          leaf(
            'watering-cans',
            'Watering cans',
            ['watering can', 'indoor watering can', 'mister'],
            2499,
            [300, 1500],
            'volume',
            [
              'A long spout reaches the back of the border.',
              'The removable rose gives a gentle shower for seedlings.',
            ],
            ['galvanised steel', 'copper', 'recycled plastic'],
          ),
          leaf(
            'sprinklers',
            'Sprinklers',
            ['sprinkler', 'oscillating sprinkler', 'drip irrigation kit'],
            2999,
            [300, 2000],
            'oneSize',
            [
              'Adjustable range covers lawns up to two hundred square metres.',
              'A timer waters early in the morning when less evaporates.',
            ],
            ['aluminium', 'recycled plastic', 'brass'],
          ),
        ],
      },
      {
        slug: 'outdoor-furniture',
        name: 'Outdoor furniture',
        leaves: [
          leaf(
            'garden-chairs',
            'Garden chairs',
            ['garden chair', 'deck chair', 'lounger'],
            11999,
            [3000, 15000],
            'oneSize',
            ['It folds flat to store away in winter.', 'Quick-drying cushions are included.'],
            ['acacia wood', 'teak', 'powder-coated aluminium', 'rattan weave'],
          ),
          leaf(
            'garden-tables',
            'Garden tables',
            ['garden table', 'bistro table', 'side table'],
            19999,
            [5000, 30000],
            'smallMediumLarge',
            [
              'Seats four comfortably for dinner outside.',
              'A parasol hole in the centre keeps the sun off.',
            ],
            ['acacia wood', 'teak', 'powder-coated steel', 'mosaic tile'],
          ),
          leaf(
            'hammocks',
            'Hammocks',
            ['hammock', 'hammock chair', 'hammock stand'],
            8999,
            [900, 15000],
            'oneSize',
            [
              'Holds up to one hundred and fifty kilograms.',
              'Hanging straps and carabiners are in the box.',
            ],
            ['cotton canvas', 'parachute nylon', 'woven rope'],
          ),
        ],
      },
    ],
  },
  {
    slug: 'toys-games',
    name: 'Toys & Games',
    brands: ['Tinker Bay', 'Marbleworks', 'Playhaven', 'Little Atlas', 'Puzzleroot', 'Kitefield'],
    materials: [
      'beech wood',
      'recycled plastic',
      'cardboard',
      'organic cotton',
      'natural rubber',
      'birch plywood',
    ],
    adjectives: [
      'colourful',
      'classic',
      'creative',
      'educational',
      'sturdy',
      'travel-size',
      'deluxe',
      'cheerful',
    ],
    colors: ['multicolour', 'rainbow', 'natural', 'red', 'blue', 'yellow', 'pastel'],
    features: [
      'Tested to the European toy safety standard EN 71.',
      'Non-toxic, water-based paints are safe for little hands.',
      'The {noun} encourages creative play and problem solving.',
      'Everything packs back into a sturdy storage box.',
      'Designed with teachers and tested by children.',
      'The packaging is plastic-free and recyclable.',
    ],
    uses: [
      'rainy afternoons',
      'family game night',
      'birthdays',
      'the classroom',
      'long car journeys',
      'playing in the park',
    ],
    care: [
      'Wipe clean with a damp cloth.',
      'Not suitable for children under three years: small parts.',
      'Keep the box to store all the pieces together.',
    ],
    children: [
      {
        slug: 'building',
        name: 'Building toys',
        leaves: [
          leaf(
            'building-blocks',
            'Building blocks',
            ['building block set', 'brick set', 'magnetic tile set'],
            3999,
            [500, 3000],
            'pieces',
            [
              'The pieces click together firmly and come apart easily.',
              'Works with other popular brick systems.',
            ],
          ),
          leaf(
            'marble-runs',
            'Marble runs',
            ['marble run', 'marble tower', 'ball track'],
            4999,
            [800, 3500],
            'ages',
            [
              'Twists, funnels and a spiral lift send the marbles racing.',
              'Every build can be rearranged into a new track.',
            ],
          ),
          leaf(
            'construction-kits',
            'Construction kits',
            ['construction kit', 'robot kit', 'engineering set'],
            5999,
            [500, 2500],
            'ages',
            [
              'Gears, axles and a motor teach how machines work.',
              'Step-by-step instructions show twelve different models.',
            ],
          ),
        ],
      },
      {
        slug: 'board-games',
        name: 'Board games',
        leaves: [
          leaf(
            'strategy-games',
            'Strategy games',
            ['strategy game', 'card game', 'deck-building game'],
            3999,
            [600, 2500],
            'ages',
            [
              'Every game plays out differently, for two to five players.',
              'Rounds last about forty-five minutes.',
            ],
            ['cardboard', 'wood', 'linen-finish card'],
          ),
          leaf(
            'family-games',
            'Family games',
            ['family game', 'party game', 'trivia game'],
            2499,
            [400, 1500],
            'ages',
            [
              'Rules are learned in five minutes, so everyone joins in.',
              'Up to eight players can play at once.',
            ],
            ['cardboard', 'wood', 'linen-finish card'],
          ),
          leaf(
            'jigsaw-puzzles',
            'Jigsaw puzzles',
            ['jigsaw puzzle', 'panorama puzzle', 'wooden puzzle'],
            1999,
            [300, 1500],
            'pieces',
            [
              'Thick, precisely cut pieces fit together snugly.',
              'A poster of the picture helps when you get stuck.',
            ],
            ['recycled cardboard', 'birch plywood'],
          ),
        ],
      },
      {
        slug: 'outdoor-toys',
        name: 'Outdoor toys',
        leaves: [
          leaf(
            'kites',
            'Kites',
            ['kite', 'stunt kite', 'delta kite'],
            2999,
            [150, 800],
            'oneSize',
            [
              'It lifts off in a light breeze and stays steady in gusts.',
              'A winder with thirty metres of line is included.',
            ],
            ['ripstop nylon', 'fibreglass', 'recycled polyester'],
          ),
          leaf(
            'balls',
            'Balls',
            ['football', 'beach ball', 'bouncy ball'],
            1499,
            [100, 450],
            'smallMediumLarge',
            [
              'Soft enough for small children, tough enough for the playground.',
              'It holds its air for months.',
            ],
            ['natural rubber', 'synthetic leather', 'PVC-free vinyl'],
          ),
          leaf(
            'scooters',
            'Scooters',
            ['scooter', 'balance bike', 'kick scooter'],
            7999,
            [2500, 6000],
            'ages',
            [
              'Lean-to-steer handling builds balance and confidence.',
              'The handlebar grows with your child across four heights.',
            ],
            ['aluminium', 'birch plywood', 'steel'],
          ),
        ],
      },
      {
        slug: 'baby-toddler',
        name: 'Baby & toddler',
        leaves: [
          leaf(
            'rattles',
            'Rattles',
            ['rattle', 'teether', 'grasping toy'],
            1299,
            [40, 150],
            'ages',
            [
              'Easy for tiny hands to hold and safe to chew.',
              'Gentle sounds stimulate hearing and curiosity.',
            ],
            ['beech wood', 'natural rubber', 'organic cotton'],
          ),
          leaf(
            'stacking-toys',
            'Stacking toys',
            ['stacking toy', 'shape sorter', 'stacking rainbow'],
            1999,
            [200, 900],
            'ages',
            [
              'Stacking and sorting train coordination and early counting.',
              'Rounded edges and a smooth finish make it safe for toddlers.',
            ],
            ['beech wood', 'recycled plastic', 'silicone'],
          ),
          leaf(
            'soft-toys',
            'Soft toys',
            ['soft toy', 'teddy bear', 'comforter'],
            1999,
            [100, 500],
            'smallMediumLarge',
            [
              'Embroidered eyes are safe from birth.',
              'Soft, cuddly and washable at thirty degrees.',
            ],
            ['organic cotton', 'recycled plush', 'knitted wool'],
          ),
        ],
      },
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Categories
// ---------------------------------------------------------------------------------------------

export interface SeedCategory {
  /** Deterministic: a v5 UUID of the slug path, the same for every seed and run. */
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly parentId: string | null;
  /** Slugs from the root, joined with `/`: `apparel/men/running-shoes`. */
  readonly path: string;
  /** 1 for a root, 3 for a leaf. */
  readonly depth: 1 | 2 | 3;
}

/** A leaf category with what its products are made of. */
export interface SeedLeaf extends SeedCategory {
  readonly depth: 3;
  readonly department: DepartmentSpec;
  readonly spec: LeafSpec;
}

export const categoryIdOf = (path: string): string => uuidV5(`category:${path}`);

function buildTree(): { categories: readonly SeedCategory[]; leaves: readonly SeedLeaf[] } {
  const roots: SeedCategory[] = [];
  const middles: SeedCategory[] = [];
  const leaves: SeedLeaf[] = [];
  for (const department of departments) {
    const root: SeedCategory = {
      id: categoryIdOf(department.slug),
      slug: department.slug,
      name: department.name,
      parentId: null,
      path: department.slug,
      depth: 1,
    };
    roots.push(root);
    for (const child of department.children) {
      const path = `${root.path}/${child.slug}`;
      const middle: SeedCategory = {
        id: categoryIdOf(path),
        slug: child.slug,
        name: child.name,
        parentId: root.id,
        path,
        depth: 2,
      };
      middles.push(middle);
      for (const spec of child.leaves) {
        const leafPath = `${path}/${spec.slug}`;
        leaves.push({
          id: categoryIdOf(leafPath),
          slug: spec.slug,
          name: spec.name,
          parentId: middle.id,
          path: leafPath,
          depth: 3,
          department,
          spec,
        });
      }
    }
  }
  // Parents first: every category comes after its parent.
  return { categories: [...roots, ...middles, ...leaves], leaves };
}

const tree = buildTree();

/** The whole tree, parents before children (roots, then their children, then the leaves). */
export const seedCategories = (): readonly SeedCategory[] => tree.categories;

/** The categories products are assigned to (the third level). */
export const seedLeaves = (): readonly SeedLeaf[] => tree.leaves;

/** Every brand of the demo catalog. */
export const seedBrands = (): readonly string[] => departments.flatMap((d) => d.brands);

// ---------------------------------------------------------------------------------------------
// Products
// ---------------------------------------------------------------------------------------------

export const PRICE_MIN_MINOR = 299;
export const PRICE_MAX_MINOR = 49_999;
export const CURRENCY = 'EUR';
export const WAREHOUSES = ['ams-1', 'ber-1', 'mad-1', 'waw-1'] as const;
export const IMAGE_BASE = 'https://cdn.example.com/aisle/demo';

/** The create body of one product, exactly as sent in the import (and to POST /products). */
export type SeedProduct = ProductFields & {
  readonly id: string;
  readonly description: string;
  readonly brand: string;
  readonly categoryId: string;
  readonly attributes: {
    readonly color: string;
    readonly size: readonly string[];
    readonly material: string;
    readonly weight_g: number;
  };
  readonly images: readonly string[];
  readonly status: 'draft' | 'published';
  readonly stock: Readonly<Record<string, number>>;
};

export interface ProductOptions {
  /** Share of products created published (each has a price); the rest are drafts. Default 0.9. */
  readonly publishedRatio?: number;
}

export const DEFAULT_PUBLISHED_RATIO = 0.9;
export const MAX_SEED = 0xffff_ffff;

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`the seed must be an integer from 0 to ${MAX_SEED}`);
  }
}

/** `DEMO-42-0000017`: unique per (seed, index), so a re-run of a seed collides on purpose. */
export function productSku(seed: number, index: number): string {
  checkSeed(seed);
  return `DEMO-${seed}-${String(index).padStart(7, '0')}`;
}

export const productId = (seed: number, index: number): string =>
  uuidV5(`product:${productSku(seed, index)}`);

const capitalize = (text: string): string =>
  text.length === 0 ? text : `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;

/** "running shoe" -> "Running Shoe"; "t-shirt" -> "T-Shirt". */
const titleCase = (text: string): string =>
  text
    .split(' ')
    .map((word) => word.split('-').map(capitalize).join('-'))
    .join(' ');

const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');

const fill = (sentence: string, words: { noun: string; material: string }): string =>
  sentence.replace(/\{noun\}/g, words.noun).replace(/\{material\}/g, words.material);

/** A log-normal price around the category's median, ending in 99, within the bounds. */
function priceOf(random: Random, median: number): Money {
  const raw = median * Math.exp(0.5 * random.normal());
  const charm = Math.round(raw / 100) * 100 - 1;
  const amountMinor = Math.min(PRICE_MAX_MINOR, Math.max(PRICE_MIN_MINOR, charm));
  return { amountMinor, currency: CURRENCY };
}

/** 1 to 3 warehouses; about one product in eight has none left anywhere. */
function stockOf(random: Random): Record<string, number> {
  const warehouses = random.sample(WAREHOUSES, random.int(1, 3)).sort();
  const soldOut = random.chance(0.12);
  const stock: Record<string, number> = {};
  for (const warehouse of warehouses) {
    // Skewed: many small quantities, a few large ones.
    const quantity = Math.floor(Math.exp(random.next() * Math.log(400)));
    stock[warehouse] = soldOut || random.chance(0.2) ? 0 : quantity;
  }
  return stock;
}

function sizesOf(random: Random, scale: readonly string[]): string[] {
  const length = random.int(1, Math.min(scale.length, 5));
  const start = random.int(0, scale.length - length);
  return scale.slice(start, start + length);
}

function describe(
  random: Random,
  leafCategory: SeedLeaf,
  words: { noun: string; material: string; adjective: string; brand: string; color: string },
): string {
  const { department, spec } = leafCategory;
  const opening = `${capitalize(article(words.adjective))} ${words.adjective} ${words.noun} from ${words.brand}, made from ${words.material} and finished in ${words.color}.`;
  const details = random.sample(spec.details, random.int(1, spec.details.length));
  const features = random
    .sample(department.features, random.int(1, 3))
    .map((sentence) => fill(sentence, words));
  const use = `${random.pick(['Made for', 'A good pick for', 'Ideal for', 'Perfect for'])} ${random.pick(department.uses)}.`;
  const sentences = [opening, ...details, ...features, use];
  if (random.chance(0.6)) sentences.push(random.pick(department.care));
  return sentences.join(' ');
}

/**
 * Product `index` of `seed`: a create body for POST /admin/v1/products or one import line.
 * Pure: the same arguments always give the same product, independent of any other index.
 */
export function generateProduct(
  seed: number,
  index: number,
  options: ProductOptions = {},
): SeedProduct {
  checkSeed(seed);
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError('index must be ≥ 0');
  const publishedRatio = options.publishedRatio ?? DEFAULT_PUBLISHED_RATIO;
  const random = createRandom(mixSeed(mixSeed(seed, 0x5eed), index));
  // The status is drawn first and alone, so the ratio changes nothing else about a product.
  const published = random.next() < publishedRatio;
  const category = random.pick(tree.leaves);
  const { department, spec } = category;
  const brand = random.pick(department.brands);
  const noun = random.pick(spec.nouns);
  const material = random.pick(spec.materials ?? department.materials);
  const adjective = random.pick(department.adjectives);
  const color = random.pick(department.colors);
  const size = sizesOf(random, sizeScales[spec.sizes]);
  const weight = Math.round(random.int(spec.weight[0], spec.weight[1]) / 5) * 5;
  const price = priceOf(random, spec.price);
  // Drawn whatever the status, so the sequence (and everything after) stays the same.
  const draftPriced = random.chance(0.5);
  const hasPrice = published || draftPriced;
  const stock = stockOf(random);
  const sku = productSku(seed, index);
  const imageCount = random.int(1, 4);
  const description = describe(random, category, { noun, material, adjective, brand, color });
  const images = Array.from(
    { length: imageCount },
    (_, i) => `${IMAGE_BASE}/${category.slug}/${sku.toLowerCase()}-${i + 1}.jpg`,
  );
  return {
    id: productId(seed, index),
    sku,
    name: `${brand} ${titleCase(adjective)} ${titleCase(material)} ${titleCase(noun)}`,
    description,
    brand,
    categoryId: category.id,
    attributes: { color, size, material, weight_g: weight },
    images,
    ...(hasPrice ? { price } : {}),
    status: published ? 'published' : 'draft',
    stock,
  };
}

/** Products `from` to `from + count - 1` of `seed`, one at a time (nothing is held). */
export function* generateProducts(
  seed: number,
  count: number,
  options: ProductOptions & { readonly from?: number } = {},
): Generator<SeedProduct, void, undefined> {
  const from = options.from ?? 0;
  for (let i = 0; i < count; i++) yield generateProduct(seed, from + i, options);
}
