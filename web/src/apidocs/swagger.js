// Starts Swagger UI on /docs. The page (served by the expo, see server/metaexpo/http/apidocs.py)
// loads swagger-ui-bundle.js from the expo itself first; this module only points it at the
// OpenAPI document named in the page. No online validator badge: the expo runs offline.

const root = /** @type {HTMLElement} */ (document.getElementById('swagger-ui'));
/** @type {any} */
const SwaggerUIBundle = /** @type {any} */ (globalThis).SwaggerUIBundle;

SwaggerUIBundle({
  url: root.dataset.openapi,
  domNode: root,
  layout: 'BaseLayout',
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
