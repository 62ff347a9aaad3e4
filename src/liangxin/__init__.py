"""两新组织党建工作调度平台 (liangxin)."""

__version__ = "0.1.0"
