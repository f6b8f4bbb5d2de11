/* The Updraft device library: one include for all of it. */
#ifndef UPDRAFT_UPDRAFT_H
#define UPDRAFT_UPDRAFT_H

#include "errors.h"
#include "hash.h"
#include "manifest.h"
#include "onenet.h"
#include "patch.h"
#include "quectel.h"
#include "thingspanel.h"
#include "verify.h"

#endif
