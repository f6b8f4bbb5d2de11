// The LwM2M dialect passes the device-dialect contract over real UDP: a signed Register, the
// Package URI on /5/0/1, block-wise downloads from /fw/{token}, State and Update Result observed.
import { describeDeviceDialect } from '../../test-support/contracts/device-dialect.contract.ts';
import { lwm2mDriver } from '../../test-support/contracts/lwm2m-driver.ts';
import { skipReason } from '../../test-support/test-database.ts';

describeDeviceDialect(lwm2mDriver(), (await skipReason()) ?? false);
