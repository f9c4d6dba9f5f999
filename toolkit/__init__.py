"""民生实事季度报送工具 (quarterly livelihood-project reporting toolkit)."""

__version__ = "0.1.0"
