// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'sample/dist/', 'coverage/', '**/node_modules/', 'test/package/fixtures/**/dist/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        // vitest.config.ts is in no tsconfig: the compiler never builds it, Vitest loads it.
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // As `nest new` sets it. The public hooks and the guards' protected steps hand over Express,
      // Fastify, socket and message objects as `any` for applications to read as they like; inside
      // this package the no-unsafe-* rules still check every use of such a value.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  { files: ['**/*.mjs', '**/*.cjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    // Applications of their own, installed with their own dependencies (NestJS 11, Jest) by the
    // package test, which compiles them there; here `nestjs-keysmith` and their test libraries do
    // not resolve, so their types are checked by that compilation instead.
    files: ['test/package/fixtures/**'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // CommonJS files (a `node --require` preload) load modules as CommonJS does.
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Browser code served through Function.prototype.toString: nothing of its module exists in the
    // browser, so the module holds type imports, types and exported functions only.
    files: ['lib/**/*.browser.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'Program > :not(ImportDeclaration[importKind="type"], TSInterfaceDeclaration, TSTypeAliasDeclaration, ExportNamedDeclaration[declaration.type=/^(FunctionDeclaration|TSInterfaceDeclaration|TSTypeAliasDeclaration)$/])',
          message: 'Served through Function.prototype.toString: declare values inside the function, import types only.',
        },
      ],
    },
  },
);
