// The package version, inlined by the bundler.
declare const __IOTPAY_VERSION__: string;
export const VERSION = typeof __IOTPAY_VERSION__ === 'string' ? __IOTPAY_VERSION__ : '0.0.0-dev';
