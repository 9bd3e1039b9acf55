/**
 * Booth search: a visitor types part of an exhibitor's name, a tag or a zone,
 * in Chinese or English, and gets the booths that match. Chinese has no
 * spaces, so a query matches as a substring; English words separated by
 * spaces must each match somewhere (any order), case-insensitively. Both
 * languages are searched whatever the page's language, so a visitor who
 * reads English can still paste a Chinese name.
 */

/**
 * Everything a booth can be found by, lower-cased, once per catalog.
 * @param {import('../app/types.js').Catalog} catalog
 * @returns {Map<string, string>} booth id -> its searchable text
 */
function boothIndex(catalog) {
  /** @type {Map<string, import('../app/types.js').Texts>} */
  const tags = new Map(Object.entries(catalog.tags ?? {}));
  /** @type {Map<string, import('../app/types.js').Texts>} */
  const zones = new Map((catalog.zones ?? []).map((z) => [z.id, z.title]));
  /** @param {import('../app/types.js').Texts | undefined} t */
  const both = (t) => (t ? [t.zh ?? '', t.en ?? ''] : []);
  /** @type {Map<string, string>} */
  const index = new Map();
  for (const b of catalog.booths ?? []) {
    const e = b.exhibitor;
    const parts = [
      b.id, ...both(e?.name), ...both(e?.tagline), ...both(zones.get(b.zone)), b.zone,
      ...(e?.tags ?? []).flatMap((id) => [id, ...both(tags.get(id))]),
    ];
    index.set(b.id, normalise(parts.join('\n')));
  }
  return index;
}

/**
 * Lower case, full-width letters and digits folded to ASCII, runs of space made one.
 * @param {string} text
 */
function normalise(text) {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * The ids of the booths matching `query`, in catalog order; every booth for an empty query.
 * @param {Map<string, string>} index from boothIndex
 * @param {string} query
 * @returns {string[]}
 */
function searchBooths(index, query) {
  const terms = normalise(query).split(' ').filter(Boolean);
  const out = [];
  for (const [id, text] of index) if (terms.every((t) => text.includes(t))) out.push(id);
  return out;
}

export { boothIndex, normalise, searchBooths };
