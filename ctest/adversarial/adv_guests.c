#include "cases.h"

ADV_TABLE(guests) = {{0, 0}};
const size_t adv_ncases_guests = 0;
