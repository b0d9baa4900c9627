#include "cases.h"

ADV_TABLE(engine) = {{0, 0}};
const size_t adv_ncases_engine = 0;
