#include "cases.h"

ADV_TABLE(waits) = {{0, 0}};
const size_t adv_ncases_waits = 0;
