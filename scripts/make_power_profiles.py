#!/usr/bin/env python3
"""Make the hourly wind and solar capacity-factor profiles ``inputs/power_profiles.csv``.

One representative 365-day year (8,760 hours, local time UTC+5) for a
Caspian-coast site in Mangystau, Kazakhstan, near Aktau
(43.65 N, 51.17 E). The method is described in ``docs/profiles.md``; every
parameter has a row in ``inputs/SOURCES.md``.

Solar
    pvlib solar position and Ineichen clear-sky irradiance (with pvlib's
    bundled Linke-turbidity climatology), a seeded day-level AR(1) clearness
    process plus an hourly AR(1) perturbation, Erbs beam/diffuse split,
    Hay-Davies transposition onto a fixed south-facing array tilted 34 deg,
    ASHRAE incidence-angle loss, Faiman cell temperature with a -0.40 %/K
    power coefficient and a lumped system derate; finally one scale factor
    so that the annual mean capacity factor equals the calibration target
    (0.18 by default).

Wind
    A seeded hourly AR(1) Gaussian latent variable mapped to a Weibull
    (k = 2) wind speed at hub height, whose scale has a seasonal (winter
    stronger) and a diurnal cycle; a generic IEC class-II power curve
    (cut-in 3, rated 12, cut-out 25 m/s, cubic in between); 10 % wake and
    availability losses; the Weibull scale is found by bisection so that
    the annual mean capacity factor equals the target (0.36 by default).

Requirements
    This script needs pvlib (``pip install pvlib``, or the optional extra
    ``pip install -e .[profiles]``), which brings numpy, pandas, scipy and
    h5py. The model itself does NOT need pvlib: it reads the shipped CSV.

Usage::

    python scripts/make_power_profiles.py --out inputs/power_profiles.csv [--seed 20241]

The output is deterministic: the same seed and library versions give a
byte-identical file (checked with pvlib 0.16.1, numpy 2.4.6, pandas 3.1.1,
scipy 1.17.1).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

try:
    import pvlib
    from scipy import special, stats
except ImportError as exc:  # pragma: no cover - depends on the environment
    sys.exit(
        f"make_power_profiles.py needs pvlib and scipy ({exc}). Install them with "
        "`pip install pvlib` (or the optional extra `pip install -e .[profiles]`). "
        "The model itself reads the shipped inputs/power_profiles.csv and does not need pvlib."
    )

# --------------------------------------------------------------------------
# Site and calendar
# --------------------------------------------------------------------------
LATITUDE = 43.65  # deg N, Caspian coast near Aktau (Mangystau)
LONGITUDE = 51.17  # deg E
ALTITUDE_M = 0.0  # m a.s.l.; the Caspian shore is at about -28 m, coastal plateau ~0-50 m
TIMEZONE = "Etc/GMT-5"  # fixed UTC+5, no daylight saving (POSIX sign convention)
CALENDAR_YEAR = 2023  # any non-leap year; used only for the solar geometry
HOURS = 8760

# --------------------------------------------------------------------------
# Solar parameters
# --------------------------------------------------------------------------
SOLAR_TARGET_CF = 0.18  # annual mean CF, own estimate within the sourced 0.16-0.25 span
TILT_DEG = 34.0  # latitude - 10 deg, rounded
AZIMUTH_DEG = 180.0  # south
ALBEDO = 0.25  # dry, light-coloured desert/steppe ground
#: Monthly mean ratio of all-sky to clear-sky daily irradiation, Jan..Dec (assumption).
CLEARNESS_MONTHLY = (0.55, 0.60, 0.66, 0.75, 0.82, 0.88, 0.90, 0.90, 0.87, 0.78, 0.63, 0.55)
CLEARNESS_CONCENTRATION = 6.0  # Beta(a, b) with a + b = 6: spread of daily clearness
CLEARNESS_DAY_PHI = 0.6  # lag-1 day autocorrelation of the latent cloudiness
CLEARNESS_HOUR_PHI = 0.7  # lag-1 hour autocorrelation of the intra-day perturbation
CLEARNESS_HOUR_SCALE = 0.5  # intra-day sd = scale * sqrt(r (1 - r)) for day ratio r
CLEARNESS_MIN = 0.03  # floor of the hourly all-sky/clear-sky ratio (thick overcast)
#: Monthly mean daily air temperature at Aktau, deg C, Jan..Dec (assumption, climate normals rounded).
TEMP_AIR_MONTHLY = (-1.0, -1.0, 4.0, 11.0, 18.0, 24.0, 27.0, 26.0, 20.0, 12.0, 5.0, 1.0)
TEMP_DIURNAL_AMPLITUDE = 4.0  # K, half of the day-night range; maximum at 15:00 local
PV_WIND_SPEED = 2.0  # m/s at module height, used only for the cell temperature
FAIMAN_U0, FAIMAN_U1 = 25.0, 6.84  # W/m2/K, W s/m3/K: pvlib defaults (open rack)
GAMMA_PDC = -0.0040  # 1/K power temperature coefficient, crystalline Si
ASHRAE_B0 = 0.05  # ASHRAE incidence-angle modifier parameter (pvlib default)
#: Lumped system losses: soiling 3 %, mismatch and DC wiring 3 %, inverter 3 %,
#: AC wiring and transformer 1.5 %, availability 1 % -> 0.890.
SOLAR_SYSTEM_DERATE = 0.97 * 0.97 * 0.97 * 0.985 * 0.99

# --------------------------------------------------------------------------
# Wind parameters
# --------------------------------------------------------------------------
WIND_TARGET_CF = 0.36  # annual mean CF, own estimate within the sourced 0.34-0.42 span
WEIBULL_K = 2.0  # shape (Rayleigh)
WIND_HOUR_PHI = 0.97  # lag-1 hour autocorrelation of the latent Gaussian (~33 h e-folding)
SEASONAL_AMPLITUDE = 0.12  # relative amplitude of the Weibull scale over the year
SEASONAL_PEAK_DOY = 30  # day of year of the windiest time (end of January)
DIURNAL_AMPLITUDE = 0.05  # relative amplitude of the Weibull scale over the day
DIURNAL_PEAK_HOUR = 15.0  # local hour of the windiest time of day (sea breeze, mixing)
CUT_IN, RATED, CUT_OUT = 3.0, 12.0, 25.0  # m/s, generic IEC class-II turbine
WIND_LOSSES = 0.10  # wake 7 % and availability 3 %, combined ~10 %
SCALE_BRACKET = (3.0, 15.0)  # m/s, bisection bracket for the Weibull scale

DEFAULT_SEED = 20241
DEFAULT_WEATHER_YEARS = 5


@dataclass(frozen=True)
class Site:
    """Where a wind and solar series is made."""

    latitude: float
    longitude: float
    altitude_m: float
    temp_normals: tuple[float, ...]  # monthly mean air temperature, deg C, Jan..Dec


SITES = {
    "mangystau": Site(LATITUDE, LONGITUDE, ALTITUDE_M, TEMP_AIR_MONTHLY),
    # Karakalpakstan wind zone west of the Amu Darya delta near Kungrad (assumption: site of the corridor's
    # Uzbek wind); continental climate: colder winters and hotter summers than the Caspian coast (rounded normals)
    "karakalpakstan": Site(43.05, 58.90, 70.0, (-6.0, -4.0, 4.0, 13.0, 20.0, 26.0, 28.0, 26.0, 19.0, 11.0, 3.0, -3.0)),
}

# --------------------------------------------------------------------------
# Weather years (interannual variability) and the second wind site
# --------------------------------------------------------------------------
WIND_SPEED_ANOMALY_SD = 0.04  # sd of a weather year's mean wind speed relative to the calibration year
CLEARNESS_ANOMALY_SD = 0.03  # sd of a weather year's clearness relative to the calibration year
UZ_WIND_CORRELATION = 0.5  # correlation of the Karakalpakstan latent wind with Mangystau's, lagged
UZ_WIND_LAG_H = 12  # hours: weather systems cross the ~650 km from the Caspian coast to the Aral zone west to east

# --------------------------------------------------------------------------
# Demand and price shapes (ratios to the weather year's mean)
# --------------------------------------------------------------------------
#: Azerbaijan (UTC+4): monthly factor Jan..Dec (winter heating peak, summer cooling peak), diurnal points
AZ_MONTHLY = (1.12, 1.08, 1.00, 0.92, 0.90, 0.98, 1.08, 1.08, 0.95, 0.92, 0.98, 1.08)
AZ_DIURNAL = ((0, 0.88), (4, 0.80), (7, 0.90), (10, 1.04), (14, 1.02), (18, 1.08), (20, 1.16), (23, 0.98))
AZ_WEEKEND = 0.95
AZ_DAY_SD, AZ_DAY_PHI = 0.03, 0.7  # day-to-day weather noise
#: Mangystau (UTC+5): oil and gas industry and desalination, nearly flat
KZ_MONTHLY = (1.03, 1.02, 0.99, 0.97, 0.98, 1.02, 1.04, 1.04, 0.99, 0.97, 0.98, 1.02)
KZ_DIURNAL = ((0, 0.96), (5, 0.95), (9, 1.02), (14, 1.03), (19, 1.04), (23, 0.98))
KZ_DAY_SD, KZ_DAY_PHI = 0.02, 0.7
#: Romania (EET, UTC+2, no DST): monthly price level (spring hydro and solar low, winter and summer heat high)
RO_MONTHLY = (1.15, 1.05, 0.90, 0.75, 0.80, 1.00, 1.20, 1.15, 1.05, 1.00, 1.00, 1.10)
RO_DIURNAL_WINTER = ((0, 0.85), (4, 0.75), (8, 1.10), (12, 0.95), (16, 1.05), (19, 1.35), (22, 1.05))
RO_DIURNAL_SUMMER = ((0, 0.90), (4, 0.80), (8, 1.00), (13, 0.60), (17, 1.00), (20, 1.55), (23, 1.05))
RO_WEEKEND = 0.85
RO_DAY_SD, RO_DAY_PHI = 0.20, 0.6  # daily log-price noise (wind, imports, outages)
RO_HOUR_SD, RO_HOUR_PHI = 0.10, 0.8


@dataclass(frozen=True)
class Profiles:
    """Hourly capacity factors plus diagnostics of one generated year."""

    index: pd.DatetimeIndex
    wind_cf: np.ndarray
    solar_cf: np.ndarray
    wind_speed: np.ndarray
    weibull_scale: float
    solar_raw_mean: float
    solar_scale: float


def hourly_index() -> pd.DatetimeIndex:
    """Return the 8,760 hour-centred timestamps (HH:30, UTC+5) of the representative year."""
    return pd.date_range(f"{CALENDAR_YEAR}-01-01 00:30", periods=HOURS, freq="h", tz=TIMEZONE)


def ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """Stationary AR(1) series with unit marginal variance.

    x[0] ~ N(0, 1); x[t] = phi * x[t-1] + sqrt(1 - phi**2) * e[t], e ~ N(0, 1).
    """
    e = rng.standard_normal(n)
    x = np.empty(n)
    x[0] = e[0]
    s = np.sqrt(1.0 - phi * phi)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + s * e[t]
    return x


def bisect(f: Callable[[float], float], lo: float, hi: float, target: float, iters: int = 80) -> float:
    """Solve f(x) = target for x in [lo, hi], f increasing, by bisection."""
    f_lo, f_hi = f(lo), f(hi)
    if not (f_lo <= target <= f_hi):
        raise ValueError(f"target {target} outside [{f_lo:.4f}, {f_hi:.4f}] on [{lo}, {hi}]")
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


# --------------------------------------------------------------------------
# Solar
# --------------------------------------------------------------------------
def clearness_ratio(index: pd.DatetimeIndex, rng_day: np.random.Generator, rng_hour: np.random.Generator, anomaly: float = 0.0) -> np.ndarray:
    """Hourly ratio of all-sky to clear-sky GHI, in [CLEARNESS_MIN, 1].

    A day-level AR(1) latent Gaussian z_d is mapped through the normal CDF to a
    uniform and then to a Beta quantile whose mean is the month's clearness
    (``CLEARNESS_MONTHLY``) and whose concentration a + b is
    ``CLEARNESS_CONCENTRATION``. An hourly AR(1) perturbation with standard
    deviation ``CLEARNESS_HOUR_SCALE * sqrt(r (1 - r))`` adds intra-day
    variability that vanishes on fully clear or fully overcast days.
    """
    days = HOURS // 24
    z_day = ar1(rng_day, days, CLEARNESS_DAY_PHI)
    u_day = special.ndtr(z_day)
    month_of_day = index.month.to_numpy()[::24] - 1
    mean = np.clip(np.asarray(CLEARNESS_MONTHLY)[month_of_day] * (1.0 + anomaly), 0.05, 0.95)
    a = mean * CLEARNESS_CONCENTRATION
    b = (1.0 - mean) * CLEARNESS_CONCENTRATION
    r_day = stats.beta.ppf(u_day, a, b)
    r = np.repeat(r_day, 24)
    e_hour = ar1(rng_hour, HOURS, CLEARNESS_HOUR_PHI)
    r = r + CLEARNESS_HOUR_SCALE * np.sqrt(r * (1.0 - r)) * e_hour
    return np.clip(r, CLEARNESS_MIN, 1.0)


def air_temperature(index: pd.DatetimeIndex, normals: tuple[float, ...] = TEMP_AIR_MONTHLY) -> np.ndarray:
    """Ambient temperature (deg C): monthly normal plus a cosine diurnal cycle peaking at 15:00."""
    monthly = np.asarray(normals)[index.month.to_numpy() - 1]
    hour = index.hour.to_numpy() + index.minute.to_numpy() / 60.0
    return monthly + TEMP_DIURNAL_AMPLITUDE * np.cos(2 * np.pi * (hour - 15.0) / 24.0)


def solar_raw_cf(index: pd.DatetimeIndex, ratio: np.ndarray, site: "Site | None" = None) -> np.ndarray:
    """Physical (uncalibrated) PV capacity factor per kWp DC for the given clearness ratio (at ``site``, default Mangystau)."""
    site = site or SITES["mangystau"]
    loc = pvlib.location.Location(site.latitude, site.longitude, tz=TIMEZONE, altitude=site.altitude_m)
    sp = loc.get_solarposition(index)
    linke = pvlib.clearsky.lookup_linke_turbidity(index, site.latitude, site.longitude)
    am_rel = pvlib.atmosphere.get_relative_airmass(sp["apparent_zenith"])
    am_abs = pvlib.atmosphere.get_absolute_airmass(am_rel, pvlib.atmosphere.alt2pres(site.altitude_m))
    dni_extra = pvlib.irradiance.get_extra_radiation(index)
    cs = pvlib.clearsky.ineichen(sp["apparent_zenith"], am_abs, linke, altitude=site.altitude_m, dni_extra=dni_extra)

    ghi = (cs["ghi"].to_numpy() * ratio).clip(min=0.0)
    ghi = pd.Series(ghi, index=index)
    split = pvlib.irradiance.erbs(ghi, sp["zenith"], index)
    poa = pvlib.irradiance.get_total_irradiance(
        TILT_DEG, AZIMUTH_DEG, sp["apparent_zenith"], sp["azimuth"],
        dni=split["dni"], ghi=ghi, dhi=split["dhi"], dni_extra=dni_extra,
        airmass=am_rel, albedo=ALBEDO, model="haydavies",
    )
    aoi = pvlib.irradiance.aoi(TILT_DEG, AZIMUTH_DEG, sp["apparent_zenith"], sp["azimuth"])
    iam = pvlib.iam.ashrae(aoi, b=ASHRAE_B0)
    effective = (poa["poa_direct"] * iam + poa["poa_diffuse"]).fillna(0.0).clip(lower=0.0)
    t_cell = pvlib.temperature.faiman(poa["poa_global"].fillna(0.0), air_temperature(index, site.temp_normals), PV_WIND_SPEED, FAIMAN_U0, FAIMAN_U1)
    p = effective / 1000.0 * (1.0 + GAMMA_PDC * (t_cell - 25.0)) * SOLAR_SYSTEM_DERATE
    p = p.where(sp["apparent_elevation"] > 0.0, 0.0)
    return p.clip(lower=0.0).to_numpy()


def calibrate_solar(raw: np.ndarray, target: float) -> tuple[np.ndarray, float]:
    """Scale the raw PV profile (capped at 1) so that its annual mean equals ``target``."""
    scale = bisect(lambda s: float(np.clip(s * raw, 0.0, 1.0).mean()), 0.1, 10.0, target)
    return np.clip(scale * raw, 0.0, 1.0), scale


# --------------------------------------------------------------------------
# Wind
# --------------------------------------------------------------------------
def wind_shape(index: pd.DatetimeIndex) -> np.ndarray:
    """Relative modulation of the Weibull scale: seasonal (winter stronger) times diurnal cosine."""
    doy = index.day_of_year.to_numpy()
    hour = index.hour.to_numpy() + index.minute.to_numpy() / 60.0
    seasonal = 1.0 + SEASONAL_AMPLITUDE * np.cos(2 * np.pi * (doy - SEASONAL_PEAK_DOY) / 365.0)
    diurnal = 1.0 + DIURNAL_AMPLITUDE * np.cos(2 * np.pi * (hour - DIURNAL_PEAK_HOUR) / 24.0)
    return seasonal * diurnal


def weibull_speed(u: np.ndarray, scale: np.ndarray | float) -> np.ndarray:
    """Weibull quantile: v = scale * (-ln(1 - u))**(1/k) with shape WEIBULL_K."""
    return scale * (-np.log1p(-u)) ** (1.0 / WEIBULL_K)


def power_curve(v: np.ndarray) -> np.ndarray:
    """Generic IEC class-II power curve, per unit of rated power.

    0 below cut-in (3 m/s) and at or above cut-out (25 m/s); 1 between rated
    (12 m/s) and cut-out; (v^3 - v_ci^3) / (v_r^3 - v_ci^3) in between.
    """
    p = (v**3 - CUT_IN**3) / (RATED**3 - CUT_IN**3)
    p = np.where(v < CUT_IN, 0.0, p)
    p = np.where(v >= RATED, 1.0, p)
    return np.where(v >= CUT_OUT, 0.0, p)


def wind_profile(index: pd.DatetimeIndex, rng: np.random.Generator, target: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Return (wind CF, hub-height speed in m/s, calibrated Weibull scale in m/s)."""
    z = ar1(rng, HOURS, WIND_HOUR_PHI)
    u = np.clip(special.ndtr(z), 1e-12, 1.0 - 1e-12)
    shape = wind_shape(index)

    def cf(scale: float) -> float:
        return float(((1.0 - WIND_LOSSES) * power_curve(weibull_speed(u, scale * shape))).mean())

    scale = bisect(cf, *SCALE_BRACKET, target)
    v = weibull_speed(u, scale * shape)
    return (1.0 - WIND_LOSSES) * power_curve(v), v, scale


# --------------------------------------------------------------------------
# Demand and price shapes
# --------------------------------------------------------------------------
def daily_cycle(points: tuple[tuple[float, float], ...], hour: np.ndarray) -> np.ndarray:
    """Piecewise-linear, 24-h periodic curve through (hour, value) points, evaluated at local ``hour``."""
    xs = np.array([p[0] for p in points] + [points[0][0] + 24.0])
    ys = np.array([p[1] for p in points] + [points[0][1]])
    return np.interp(np.mod(hour, 24.0), xs, ys)


def shape(index: pd.DatetimeIndex, rng: np.random.Generator, utc_offset: int, monthly, diurnal, weekend: float, day_sd: float, day_phi: float,
          diurnal_summer=None, hour_sd: float = 0.0, hour_phi: float = 0.0, log: bool = False) -> np.ndarray:
    """A demand or price shape (mean 1 over the year): monthly × diurnal (local time) × weekend × seeded noise.

    The noise is a day-level AR(1) (and optionally an hourly AR(1)) on the log scale when ``log`` (prices),
    multiplicative around 1 otherwise; the result is clipped at 0 and divided by its mean."""
    local = index.tz_convert(None) + pd.Timedelta(hours=utc_offset)
    hour = local.hour.to_numpy() + 0.5
    month = local.month.to_numpy() - 1
    base = np.asarray(monthly)[month] * daily_cycle(diurnal, hour)
    if diurnal_summer is not None:  # April-September use the summer day (solar dip)
        summer = (month >= 3) & (month <= 8)
        base = np.where(summer, np.asarray(monthly)[month] * daily_cycle(diurnal_summer, hour), base)
    base = base * np.where(local.day_of_week.to_numpy() >= 5, weekend, 1.0)
    day = np.repeat(ar1(rng, HOURS // 24, day_phi), 24) * day_sd
    hourly = ar1(rng, HOURS, hour_phi) * hour_sd if hour_sd else 0.0
    noise = np.exp(day + hourly - 0.5 * (day_sd**2 + hour_sd**2)) if log else 1.0 + day + hourly
    out = np.clip(base * noise, 0.0, None)
    return out / out.mean()


def shapes(index: pd.DatetimeIndex, seed: int, weather_year: int) -> dict[str, np.ndarray]:
    """Demand (Mangystau, Azerbaijan) and Romanian price shapes of one weather year."""
    ss = np.random.SeedSequence([seed, weather_year, 3]).spawn(3)
    return {
        "mangystau_demand": shape(index, np.random.default_rng(ss[0]), 5, KZ_MONTHLY, KZ_DIURNAL, 1.0, KZ_DAY_SD, KZ_DAY_PHI),
        "azerbaijan_demand": shape(index, np.random.default_rng(ss[1]), 4, AZ_MONTHLY, AZ_DIURNAL, AZ_WEEKEND, AZ_DAY_SD, AZ_DAY_PHI),
        "romania_price": shape(index, np.random.default_rng(ss[2]), 2, RO_MONTHLY, RO_DIURNAL_WINTER, RO_WEEKEND, RO_DAY_SD, RO_DAY_PHI,
                               diurnal_summer=RO_DIURNAL_SUMMER, hour_sd=RO_HOUR_SD, hour_phi=RO_HOUR_PHI, log=True),
    }


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------
def make_profiles(seed: int, wind_target: float, solar_target: float) -> Profiles:
    """Mangystau wind and solar of the calibration year (weather year 1); random streams are children of ``seed``."""
    index = hourly_index()
    ss_wind, ss_day, ss_hour = np.random.SeedSequence(seed).spawn(3)
    wind_cf, speed, weibull_scale = wind_profile(index, np.random.default_rng(ss_wind), wind_target)
    ratio = clearness_ratio(index, np.random.default_rng(ss_day), np.random.default_rng(ss_hour))
    raw = solar_raw_cf(index, ratio)
    solar_cf, solar_scale = calibrate_solar(raw, solar_target)
    return Profiles(index, wind_cf, solar_cf, speed, weibull_scale, float(raw.mean()), solar_scale)


def wind_year(index, z: np.ndarray, scale: float) -> np.ndarray:
    """Wind CF from a latent Gaussian series and a Weibull scale (m/s) with the seasonal/diurnal shape."""
    u = np.clip(special.ndtr(z), 1e-12, 1.0 - 1e-12)
    return (1.0 - WIND_LOSSES) * power_curve(weibull_speed(u, scale * wind_shape(index)))


def calibrate_wind(index, z: np.ndarray, target: float) -> float:
    """Weibull scale (m/s) that gives ``z`` the annual mean CF ``target``."""
    return bisect(lambda sc: float(wind_year(index, z, sc).mean()), *SCALE_BRACKET, target)


def weather_year_series(index, seed: int, w: int, cal: dict) -> dict[str, np.ndarray]:
    """Every series of weather year ``w``. Year 1 is the calibration year (annual CFs on target, Mangystau
    identical to the single-year profile); later years keep its calibration and add a seeded anomaly of
    the mean wind speed and of the clearness, so their annual CFs vary around the targets."""
    if w == 1:
        ss_wind, ss_day, ss_hour = np.random.SeedSequence(seed).spawn(3)
        wind_anom = clear_anom = 0.0
    else:
        ss_wind, ss_day, ss_hour = np.random.SeedSequence([seed, w, 0]).spawn(3)
        anom = np.random.default_rng(np.random.SeedSequence([seed, w, 9]))
        wind_anom = float(anom.normal(0.0, WIND_SPEED_ANOMALY_SD))
        clear_anom = float(anom.normal(0.0, CLEARNESS_ANOMALY_SD))
    uz_wind, uz_day, uz_hour = np.random.SeedSequence([seed, w, 1]).spawn(3)
    z_kz = ar1(np.random.default_rng(ss_wind), HOURS, WIND_HOUR_PHI)
    z_own = ar1(np.random.default_rng(uz_wind), HOURS, WIND_HOUR_PHI)
    z_uz = UZ_WIND_CORRELATION * np.roll(z_kz, UZ_WIND_LAG_H) + np.sqrt(1 - UZ_WIND_CORRELATION**2) * z_own
    if w == 1:
        cal["kz_scale"] = calibrate_wind(index, z_kz, cal["wind_target"])
        cal["uz_scale"] = calibrate_wind(index, z_uz, cal["wind_target"])
    out = {
        "mangystau_wind": wind_year(index, z_kz, cal["kz_scale"] * (1 + wind_anom)),
        "karakalpakstan_wind": wind_year(index, z_uz, cal["uz_scale"] * (1 + wind_anom)),
    }
    for site, (d, h) in (("mangystau", (ss_day, ss_hour)), ("karakalpakstan", (uz_day, uz_hour))):
        ratio = clearness_ratio(index, np.random.default_rng(d), np.random.default_rng(h), clear_anom)
        raw = solar_raw_cf(index, ratio, SITES[site])
        if w == 1:
            cal[site + "_solar_scale"] = calibrate_solar(raw, cal["solar_target"])[1]
        out[site + "_solar"] = np.clip(cal[site + "_solar_scale"] * raw, 0.0, 1.0)
    out.update(shapes(index, seed, w))
    return out


COLUMNS = ("mangystau_wind", "mangystau_solar", "karakalpakstan_wind", "karakalpakstan_solar", "mangystau_demand", "azerbaijan_demand", "romania_price")


def write_csv(path: Path, years: list[dict[str, np.ndarray]]) -> None:
    """Write weather_year, hour and the series with 4 decimals, LF line endings (byte-stable).

    Shapes have mean 1 before rounding; after it, within 1e-4 (the model's input check allows 0.01)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["weather_year,hour," + ",".join(COLUMNS)]
    for w, series in enumerate(years, start=1):
        cols = []
        for c in COLUMNS:
            v = np.clip(np.round(series[c], 4), 0.0, 1.0 if not c.endswith(("_demand", "_price")) else 5.0) + 0.0
            cols.append([f"{x:.4f}" for x in v])
        for h in range(HOURS):
            lines.append(f"{w},{h}," + ",".join(col[h] for col in cols))
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")


def report(years: list[dict[str, np.ndarray]], cal: dict, out: Path) -> None:
    """Print each weather year's annual means and the calibration."""
    print(f"wrote {out}: {len(years)} weather years of {HOURS} h (UTC+5)")
    print(f"calibration (weather year 1): Weibull scale Mangystau {cal['kz_scale']:.3f} m/s, Karakalpakstan {cal['uz_scale']:.3f} m/s; "
          f"solar scale Mangystau {cal['mangystau_solar_scale']:.4f}, Karakalpakstan {cal['karakalpakstan_solar_scale']:.4f}")
    print("year  " + "  ".join(f"{c[:14]:>14}" for c in COLUMNS))
    for w, s in enumerate(years, start=1):
        print(f"{w:>4}  " + "  ".join(f"{float(np.round(s[c], 4).mean()):14.4f}" for c in COLUMNS))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("inputs/power_profiles.csv"), help="output CSV (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
    ap.add_argument("--weather-years", type=int, default=DEFAULT_WEATHER_YEARS, help="number of weather years (default: %(default)s)")
    ap.add_argument("--wind-target", type=float, default=WIND_TARGET_CF, help="annual mean wind CF of weather year 1 (default: %(default)s)")
    ap.add_argument("--solar-target", type=float, default=SOLAR_TARGET_CF, help="annual mean solar CF of weather year 1 (default: %(default)s)")
    args = ap.parse_args(argv)
    for name in ("wind_target", "solar_target"):
        if not 0.0 < getattr(args, name) < 0.9:
            ap.error(f"--{name.replace('_', '-')} must be in (0, 0.9)")
    if not 1 <= args.weather_years <= 100:
        ap.error("--weather-years must be in [1, 100]")
    index = hourly_index()
    cal = {"wind_target": args.wind_target, "solar_target": args.solar_target}
    years = [weather_year_series(index, args.seed, w, cal) for w in range(1, args.weather_years + 1)]
    write_csv(args.out, years)
    report(years, cal, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
