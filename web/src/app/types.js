/**
 * Shapes of what the server sends the client (/api/rooms, /api/catalog) and of
 * the visitor's preferences, as JSDoc types for the type check (`npm run
 * typecheck`). Types only: this module exports nothing at run time.
 */

/** @typedef {{zh?: string, en?: string}} Texts a bilingual text; `I18n.pick` chooses one */
/** @typedef {{min: number[], max: number[]}} Bounds a hall's box in metres */
/** @typedef {{id: string, bounds: Bounds, title?: Texts, spawn?: number[], spawn_yaw_deg?: number,
 *   voice_zones?: [number, number, number, number][]}} RoomInfo */
/** @typedef {{x: number[], z: number[]}} Area a floor rectangle: x and z ranges (m) */

/**
 * @typedef {object} Exhibitor
 * @property {Texts} name
 * @property {Texts} [tagline]
 * @property {Texts} [description]
 * @property {string[]} [tags]
 * @property {string} [contact]
 */

/**
 * @typedef {object} Booth
 * @property {string} id
 * @property {string} hall
 * @property {string} zone
 * @property {string} template
 * @property {Exhibitor} exhibitor
 * @property {{title: Texts, url: string}[]} [links]
 * @property {string[]} [scenarios]
 * @property {string | null} [logo]
 * @property {string | null} [poster]
 * @property {string | null} [model]
 * @property {number} [revision]
 * @property {number[]} position x, z of the booth's centre (m)
 * @property {number[]} front x, z where a visitor stands to face it (m)
 * @property {number} [yaw_deg]
 * @property {{accent?: string, panel?: string}} [colours]
 */

/**
 * @typedef {object} Zone
 * @property {string} id
 * @property {string} hall
 * @property {Texts} title
 * @property {string} [colour]
 * @property {Area} area
 */

/**
 * @typedef {object} Catalog
 * @property {{title?: Texts, subtitle?: Texts, notice?: Texts}} [expo]
 * @property {Texts} [title]
 * @property {Texts} [subtitle]
 * @property {Texts} [notice]
 * @property {Booth[]} booths
 * @property {Zone[]} zones
 * @property {{id: string, spawn: number[], spawn_yaw_deg: number}[]} [halls]
 * @property {{hall: string, area: Area, title?: Texts}} [plaza]
 * @property {{id: string, hall: string, area: Area, stage: Area, title?: Texts}[]} [forum_halls]
 * @property {Record<string, Texts>} [tags] tag id -> its label
 */

/**
 * @typedef {object} Prefs
 * @property {string} name
 * @property {string} avatar
 * @property {string} lang
 * @property {boolean} reducedMotion
 * @property {number} snapTurnDeg
 * @property {boolean} teleportOnly
 * @property {string} textSize
 * @property {number} mouseSensitivity
 */

export {};
