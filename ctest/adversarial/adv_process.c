#include "cases.h"

ADV_TABLE(process) = {{0, 0}};
const size_t adv_ncases_process = 0;
