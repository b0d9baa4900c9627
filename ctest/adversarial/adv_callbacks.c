#include "cases.h"

ADV_TABLE(callbacks) = {{0, 0}};
const size_t adv_ncases_callbacks = 0;
