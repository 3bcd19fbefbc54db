import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { KeysmithModuleExtras, KeysmithModuleOptions } from './options/keysmith-options.interface.js';
import { KEYSMITH_MODULE_OPTIONS } from './keysmith.internal-constants.js';
import { keysmithFeatureModule } from './keysmith-feature.js';

const DEFAULT_EXTRAS: KeysmithModuleExtras = { isGlobal: true, dataSource: undefined, tables: 'nestjs-keysmith' };

export const {
  ConfigurableModuleClass: ConfigurableKeysmithModule,
  OPTIONS_TYPE: KEYSMITH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: KEYSMITH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<KeysmithModuleOptions>({ optionsInjectionToken: KEYSMITH_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createKeysmithOptions')
  .setExtras(DEFAULT_EXTRAS, (definition, extras) => keysmithFeatureModule(definition, extras))
  .build();

/** What `KeysmithModule.forRoot()` takes: the options and the extras. */
export type KeysmithModuleForRootOptions = typeof KEYSMITH_OPTIONS_TYPE;

/** What `KeysmithModule.forRootAsync()` takes: `imports`, `inject`, `useFactory` (or `useClass`, `useExisting`) and the extras. */
export type KeysmithModuleAsyncOptions = typeof KEYSMITH_ASYNC_OPTIONS_TYPE;
