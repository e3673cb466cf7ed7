#include "livercell/formats/libical.h"

#include "livercell/base/shared_library.h"

namespace livercell::formats {

base::Result<const LibIcal*> LoadLibIcal() {
  return base::BindOnce<LibIcal>("libical.so.3", "libical3",
                                 [](const base::SharedLibrary& lib, LibIcal& ical) -> base::Status {
                                   LC_BIND_SYMBOL(lib, ical, icalcomponent_new);
                                   LC_BIND_SYMBOL(lib, ical, icalcomponent_free);
                                   LC_BIND_SYMBOL(lib, ical, icalcomponent_add_property);
                                   LC_BIND_SYMBOL(lib, ical, icalcomponent_add_component);
                                   LC_BIND_SYMBOL(lib, ical, icalcomponent_as_ical_string_r);
                                   LC_BIND_SYMBOL(lib, ical, icaltime_current_time_with_zone);
                                   LC_BIND_SYMBOL(lib, ical, icaltimezone_get_utc_timezone);
                                   LC_BIND_SYMBOL(lib, ical, icalproperty_new_version);
                                   LC_BIND_SYMBOL(lib, ical, icalproperty_new_prodid);
                                   LC_BIND_SYMBOL(lib, ical, icalproperty_new_calscale);
                                   LC_BIND_SYMBOL(lib, ical, icalproperty_new_uid);
                                   LC_BIND_SYMBOL(lib, ical, icalproperty_new_dtstamp);
                                   LC_BIND_SYMBOL(lib, ical, icalproperty_new_dtstart);
                                   LC_BIND_SYMBOL(lib, ical, icalproperty_new_dtend);
                                   LC_BIND_SYMBOL(lib, ical, icalproperty_new_summary);
                                   LC_BIND_SYMBOL(lib, ical, icalproperty_new_description);
                                   LC_BIND_SYMBOL(lib, ical, icalproperty_new_categories);
                                   return base::OkStatus();
                                 });
}

}  // namespace livercell::formats
