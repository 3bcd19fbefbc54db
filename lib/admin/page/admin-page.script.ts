import { AUDIT_LOGS_PAGE_SIZE } from '../dto/list-audit-logs-query.dto.js';
import { TOKENS_PAGE_SIZE } from '../dto/list-tokens-query.dto.js';
import { adminPage, type AdminPageSettings } from './admin-page.browser.js';

const SETTINGS: AdminPageSettings = { tokensPageSize: TOKENS_PAGE_SIZE, auditPageSize: AUDIT_LOGS_PAGE_SIZE };

/**
 * `assets/admin.js`: the compiled `adminPage` function, called with the page's settings. The
 * function is type-checked and linted with the rest of the package, and served as the compiler
 * emitted it, by the ESM and the CommonJS build alike.
 */
export const ADMIN_PAGE_SCRIPT = `'use strict';\n(${adminPage.toString()})(${JSON.stringify(SETTINGS)});\n`;
