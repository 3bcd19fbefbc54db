import { KEYSMITH_SECURITY_SCHEME } from '../keysmith-admin.constants.js';

/** The part of `@nestjs/swagger`'s `DocumentBuilder` this helper uses. */
export interface ApiKeyDocumentBuilder {
  addApiKey(options: { type: 'apiKey'; in: 'header'; name: string; description?: string }, name?: string): this;
}

/**
 * Adds the `X-KEYSMITH-TOKEN` header as the API key security scheme `keysmith`, which the admin
 * API's operations require: `addKeysmithSecurity(new DocumentBuilder().setTitle('API')).build()`.
 * `header` is the module's `header` option when the application changed it.
 */
export function addKeysmithSecurity<B extends ApiKeyDocumentBuilder>(builder: B, header = 'X-KEYSMITH-TOKEN'): B {
  return builder.addApiKey(
    { type: 'apiKey', in: 'header', name: header, description: 'A nestjs-keysmith token, sent as is.' },
    KEYSMITH_SECURITY_SCHEME,
  );
}
